import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@radflow/config';

/**
 * Nest's own messages (route mapping, unhandled exceptions) through the host's pino logger, so they land in the same
 * destination as every other line, redacted the same way, instead of on the console beside it. Nest's chatter
 * (`log`, `verbose`) is debug; its warnings and errors stay warnings and errors.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.logger.debug(fields(rest), text(message));
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.logger.trace(fields(rest), text(message));
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.logger.debug(fields(rest), text(message));
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.logger.warn(fields(rest), text(message));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.logger.error(fields(rest), text(message));
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.logger.fatal(fields(rest), text(message));
  }
}

function text(message: unknown): string {
  return message instanceof Error ? `${message.name}: ${message.message}` : String(message);
}

/** Nest passes an optional stack and, last, the context (the class that logged). */
function fields(rest: unknown[]): { nest?: string; stack?: string } {
  const strings = rest.filter((item): item is string => typeof item === 'string');
  const context = strings.length > 0 ? strings[strings.length - 1] : undefined;
  const stack = strings.length > 1 ? strings[0] : undefined;
  return { ...(context ? { nest: context } : {}), ...(stack ? { stack } : {}) };
}
