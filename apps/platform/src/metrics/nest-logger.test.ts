import { describe, expect, it } from 'vitest';
import { createLogger } from '@radflow/config';
import { NestPinoLogger } from './nest-logger.ts';

describe('NestPinoLogger', () => {
  it("writes Nest's messages through the host logger: chatter at debug, warnings and errors as such", () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('nest-test', 'debug', {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const nest = new NestPinoLogger(logger);
    nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    nest.verbose('below the level');
    nest.warn('deprecated option', 'NestFactory');
    nest.error('boom', 'Error: boom\n    at handler', 'ExceptionsHandler');
    expect(lines.map(({ level, msg, nest: context }) => ({ level, msg, context }))).toEqual([
      { level: 20, msg: 'Mapped {/health, GET} route', context: 'RouterExplorer' },
      { level: 40, msg: 'deprecated option', context: 'NestFactory' },
      { level: 50, msg: 'boom', context: 'ExceptionsHandler' },
    ]);
    expect(lines[2]!['stack']).toMatch(/at handler/);
  });
});
