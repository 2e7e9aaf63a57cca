import { describe, expect, it } from 'vitest';
import { failureOf, RunFailure } from './retraining-run.ts';
import { TrainerFailedError } from './trainer-process.ts';

describe('failureOf', () => {
  it('keeps the code and reason of a step that gave up or of the trainer', () => {
    expect(failureOf(new RunFailure('NO_TRAINING_DATA', 'none usable'))).toEqual({
      code: 'NO_TRAINING_DATA',
      reason: 'none usable',
    });
    expect(failureOf(new TrainerFailedError('TRAINER_TIMEOUT', 'ran past 1800 s'))).toEqual({
      code: 'TRAINER_TIMEOUT',
      reason: 'ran past 1800 s',
    });
  });

  it('reads a code from other errors (a database code, else the error name), with the message as the reason', () => {
    expect(failureOf(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }))).toEqual({
      code: 'ECONNREFUSED',
      reason: 'connection refused',
    });
    expect(failureOf(new RangeError('out of range'))).toEqual({ code: 'RangeError', reason: 'out of range' });
  });
});
