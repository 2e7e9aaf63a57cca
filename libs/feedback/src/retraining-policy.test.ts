import { describe, expect, it } from 'vitest';
import {
  radiologistRetrainingDecision,
  radiologistsWithEnoughFeedback,
  retrainingDecision,
  type RetrainingPolicy,
} from './retraining-policy.ts';

const policy: RetrainingPolicy = {
  minNewExamples: 50,
  scheduleEveryMs: 24 * 3_600_000,
  minNewExamplesForSchedule: 5,
  minIntervalMs: 60_000,
};
const now = new Date('2025-06-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('retrainingDecision', () => {
  it('runs once enough new feedback has arrived', () => {
    expect(
      retrainingDecision(policy, { newExamples: 50, lastRunStartedAt: null, running: false, now }),
    ).toMatchObject({ run: true, trigger: 'threshold' });
    expect(
      retrainingDecision(policy, { newExamples: 49, lastRunStartedAt: ago(3_600_000), running: false, now }),
    ).toMatchObject({ run: false });
    // Never run before: the schedule is due at once.
    expect(
      retrainingDecision(policy, { newExamples: 49, lastRunStartedAt: null, running: false, now }),
    ).toMatchObject({ run: true, trigger: 'schedule' });
  });

  it('runs on schedule with a little new feedback, never on none', () => {
    const due = ago(25 * 3_600_000);
    expect(
      retrainingDecision(policy, { newExamples: 5, lastRunStartedAt: due, running: false, now }),
    ).toMatchObject({ run: true, trigger: 'schedule' });
    expect(
      retrainingDecision(policy, { newExamples: 4, lastRunStartedAt: due, running: false, now }),
    ).toMatchObject({ run: false });
    expect(
      retrainingDecision(policy, { newExamples: 5, lastRunStartedAt: ago(3_600_000), running: false, now }),
    ).toMatchObject({ run: false });
    expect(
      retrainingDecision(
        { ...policy, scheduleEveryMs: 0 },
        { newExamples: 10, lastRunStartedAt: due, running: false, now },
      ),
    ).toMatchObject({ run: false });
  });

  it('never starts a second run, nor one too soon after the last', () => {
    expect(
      retrainingDecision(policy, { newExamples: 500, lastRunStartedAt: null, running: true, now }),
    ).toEqual({ run: false, reason: 'a run is in progress' });
    const soon = retrainingDecision(policy, {
      newExamples: 500,
      lastRunStartedAt: ago(30_000),
      running: false,
      now,
    });
    expect(soon.run).toBe(false);
    expect(soon.reason).toContain('30 s ago');
  });
});

describe('per-radiologist policy', () => {
  const counts = [
    { radiologistKey: 'bbbbbbbbbbbbbbbb', count: 100 },
    { radiologistKey: 'aaaaaaaaaaaaaaaa', count: 250 },
    { radiologistKey: 'cccccccccccccccc', count: 99 },
  ];

  it('picks the radiologists with at least the minimum feedback, most first; 0 turns it off', () => {
    expect(radiologistsWithEnoughFeedback(100, counts).map((c) => c.radiologistKey)).toEqual([
      'aaaaaaaaaaaaaaaa',
      'bbbbbbbbbbbbbbbb',
    ]);
    expect(radiologistsWithEnoughFeedback(0, counts)).toEqual([]);
    expect(radiologistsWithEnoughFeedback(1000, counts)).toEqual([]);
  });

  const state = { newExamples: 100, lastRunStartedAt: null, running: false, now, inShadow: false };

  it('runs a radiologist’s model once enough new feedback of theirs arrived since its last decided run', () => {
    expect(radiologistRetrainingDecision(policy, 100, state)).toMatchObject({
      run: true,
      trigger: 'threshold',
    });
    // The shared model's schedule does not apply: 99 new records are not enough, however long ago the last run.
    expect(
      radiologistRetrainingDecision(policy, 100, {
        ...state,
        newExamples: 99,
        lastRunStartedAt: ago(48 * 3_600_000),
      }),
    ).toEqual({ run: false, reason: '99 new feedback records < 100' });
  });

  it('waits for a run in progress, the interval between runs and a candidate in shadow; 0 turns it off', () => {
    expect(radiologistRetrainingDecision(policy, 100, { ...state, running: true })).toMatchObject({
      run: false,
    });
    expect(
      radiologistRetrainingDecision(policy, 100, { ...state, lastRunStartedAt: ago(1000) }),
    ).toMatchObject({
      run: false,
    });
    expect(radiologistRetrainingDecision(policy, 100, { ...state, inShadow: true })).toEqual({
      run: false,
      reason: 'a candidate is in shadow evaluation',
    });
    expect(radiologistRetrainingDecision(policy, 0, { ...state, newExamples: 10_000 })).toMatchObject({
      run: false,
    });
  });
});
