/** The slice of a structured logger (pino's shape) the runtime uses. Fields carry ids and numbers, never text. */
export interface RuntimeLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLogger: RuntimeLogger = { info() {}, warn() {}, error() {} };
