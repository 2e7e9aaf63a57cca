import { describe, expect, it } from 'vitest';
import { createRng } from '@radflow/metrics';
import {
  canaryComparison,
  canaryVerdict,
  DEFAULT_CANARY_POLICY,
  type CanaryPolicy,
} from './canary-verdict.ts';
import type { ImpressionScores } from './shadow-comparison.ts';

const started = new Date('2026-01-01T00:00:00Z');
const hoursLater = (h: number) => ({ startedAt: started, now: new Date(started.getTime() + h * 3_600_000) });
const policy: CanaryPolicy = { ...DEFAULT_CANARY_POLICY, resamples: 500 };

/** n live drafts' scores around `centre` (different reports in each arm, so independent draws). */
function arm(n: number, centre: number, seed: number): ImpressionScores[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const v = Math.min(1, Math.max(0, centre + 0.3 * (rng() - 0.5)));
    return { rougeL: v, bleu1: v, f1: v };
  });
}

describe('canaryVerdict', () => {
  it('rolls back a clearly worse canary as soon as both arms have the minimum, before the period is over', () => {
    const verdict = canaryVerdict(
      { canary: arm(policy.minReports, 0.3, 1), serving: arm(policy.minReports * 4, 0.5, 2) },
      hoursLater(1),
      policy,
    );
    expect(verdict.verdict).toBe('stop');
    expect(verdict.reports).toEqual({ canary: 50, serving: 200 });
    expect(verdict.comparisons.every((c) => c.worse && c.gated && c.evaluationSet === 'canary')).toBe(true);
    expect(verdict.comparisons[0]!.difference.upper).toBeLessThan(-policy.tolerance);
    expect(verdict.reasons[0]).toMatch(/^canary rougeL \(n=50 vs 200\): .* lies wholly below -0\.5$/);
  });

  it('waits while an arm is short of the minimum, however bad the canary looks', () => {
    const verdict = canaryVerdict(
      { canary: arm(policy.minReports - 1, 0.1, 1), serving: arm(500, 0.5, 2) },
      hoursLater(48),
      policy,
    );
    expect(verdict.verdict).toBe('continue');
    expect(verdict.reasons).toEqual(['49 of 50 canary reports scored']);
    expect(verdict.comparisons.every((c) => !c.worse && !c.gated)).toBe(true);
  });

  it('passes an equal canary only once the period is over', () => {
    const arms = { canary: arm(200, 0.5, 3), serving: arm(600, 0.5, 4) };
    expect(canaryVerdict(arms, hoursLater(2), policy)).toMatchObject({
      verdict: 'continue',
      reasons: ['2.0 of 24 hours in canary'],
    });
    const pass = canaryVerdict(arms, hoursLater(25), policy);
    expect(pass.verdict).toBe('pass');
    expect(pass.reasons[0]).toMatch(/^canary over \(200 canary and 600 serving reports, 25\.0 hours\)/);
  });

  it('compares the arms unpaired: the difference is of the means, its interval wider than either arm alone', () => {
    const arms = { canary: arm(100, 0.4, 5), serving: arm(100, 0.5, 6) };
    const [rougeL] = canaryComparison(arms, policy);
    const mean = (xs: readonly ImpressionScores[]) => xs.reduce((a, s) => a + s.rougeL, 0) / xs.length;
    expect(rougeL!.difference.estimate).toBeCloseTo(mean(arms.canary) - mean(arms.serving), 12);
    const width = (i: { lower: number; upper: number }) => i.upper - i.lower;
    expect(width(rougeL!.difference)).toBeGreaterThan(width(rougeL!.candidate));
    expect(rougeL!.difference.lower).toBeLessThan(rougeL!.difference.estimate);
    expect(canaryComparison(arms, policy)).toEqual(canaryComparison(arms, policy));
    expect(canaryComparison({ canary: [], serving: arms.serving }, policy)).toEqual([]);
  });
});
