import { describe, expect, it } from 'vitest';
import { retrainingDecision, type RetrainingPolicy } from './retraining-policy.ts';

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
