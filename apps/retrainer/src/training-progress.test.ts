import { describe, expect, it } from 'vitest';
import { publishesTrainingProgress } from './training-progress.ts';

const step = (n: number, totalSteps = 40) => ({ stage: 'training' as const, step: n, totalSteps });

describe('publishesTrainingProgress', () => {
  it('publishes every tenth of the steps and the last one', () => {
    const published = Array.from({ length: 40 }, (_, i) => i + 1).filter((n) =>
      publishesTrainingProgress(step(n), 0),
    );
    expect(published).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
    expect(publishesTrainingProgress(step(7, 7), 0)).toBe(true);
  });

  it('publishes every step of a short run, any step after five quiet seconds, and every export line', () => {
    expect([1, 2, 3].every((n) => publishesTrainingProgress(step(n, 3), 0))).toBe(true);
    expect(publishesTrainingProgress(step(5), 4999)).toBe(false);
    expect(publishesTrainingProgress(step(5), 5000)).toBe(true);
    expect(publishesTrainingProgress({ stage: 'export', step: 1, totalSteps: 40 }, 0)).toBe(true);
  });
});
