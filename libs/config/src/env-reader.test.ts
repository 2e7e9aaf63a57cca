import { describe, expect, it } from 'vitest';
import { ConfigError, envReader } from './env-reader.ts';

describe('envReader int and number', () => {
  const read = envReader({ WHOLE: ' 7 ', HALF: '1.5', WORD: 'many', EMPTY: '', BIG: '11' });

  it('reads values in range, and the fallback when unset or empty', () => {
    expect(read.int('WHOLE', 0, { min: 0, max: 10 })).toBe(7);
    expect(read.number('HALF', 0, { min: 0, max: 10 })).toBe(1.5);
    expect(read.int('EMPTY', 3)).toBe(3);
    expect(read.number('UNSET', 0.25)).toBe(0.25);
  });

  it('refuses what is not of its kind or out of range, naming the variable and the range', () => {
    expect(() => read.int('HALF', 0, { min: 0, max: 10 })).toThrow(
      new ConfigError('HALF', 'an integer between 0 and 10'),
    );
    expect(() => read.number('WORD', 0)).toThrow(
      new ConfigError('WORD', 'a number between -Infinity and Infinity'),
    );
    expect(() => read.int('BIG', 0, { max: 10 })).toThrow(
      'environment variable BIG must be an integer between',
    );
    expect(() => read.number('BIG', 0, { min: 12 })).toThrow(
      new ConfigError('BIG', 'a number between 12 and Infinity'),
    );
  });
});
