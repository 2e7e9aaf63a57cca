import { describe, expect, it } from 'vitest';
import { createRng } from '@radflow/metrics';
import type { ShadowReportScores } from './shadow-comparison.ts';
import { DEFAULT_SHADOW_POLICY, shadowEnabled, shadowVerdict, type ShadowPolicy } from './shadow-verdict.ts';

const started = new Date('2026-01-01T00:00:00Z');
const hoursLater = (h: number) => new Date(started.getTime() + h * 3_600_000);
const policy: ShadowPolicy = { ...DEFAULT_SHADOW_POLICY, resamples: 500 };

/** n reports whose serving scores vary, the candidate's shifted by `shift` (plus noise of its own). */
function reports(n: number, shift: number, noise = 0.05, seed = 7): ShadowReportScores[] {
  const rng = createRng(seed);
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return Array.from({ length: n }, () => {
    const base = 0.2 + 0.6 * rng();
    const candidate = clamp(base + shift + noise * (rng() - 0.5));
    return {
      serving: { rougeL: base, bleu1: base, f1: base },
      candidate: { rougeL: candidate, bleu1: candidate, f1: candidate },
    };
  });
}

describe('shadowVerdict', () => {
  it('stops a clearly worse candidate as soon as the minimum is reached, before the period is over', () => {
    const verdict = shadowVerdict(
      reports(policy.minReports, -0.1),
      { startedAt: started, now: hoursLater(1) },
      policy,
    );
    expect(verdict.verdict).toBe('stop');
    expect(verdict.reports).toBe(100);
    expect(verdict.comparisons.map((c) => [c.metric, c.worse])).toEqual([
      ['rougeL', true],
      ['bleu1', true],
      ['f1', true],
    ]);
    expect(verdict.comparisons[0]!.difference.upper).toBeLessThan(-policy.tolerance);
    expect(verdict.reasons[0]).toMatch(/^shadow rougeL \(n=100\): .* lies wholly below -0\.5$/);
  });

  it('keeps a clearly worse candidate in shadow while it has fewer than the minimum reports', () => {
    const verdict = shadowVerdict(
      reports(policy.minReports - 1, -0.1),
      { startedAt: started, now: hoursLater(48) },
      policy,
    );
    expect(verdict.verdict).toBe('continue');
    expect(verdict.reasons).toEqual(['99 of 100 reports scored']);
    expect(verdict.comparisons.every((c) => !c.gated && !c.worse)).toBe(true);
    // The running comparison is there all the same, with the loss it shows so far.
    expect(verdict.comparisons[0]!.difference.estimate).toBeLessThan(-0.09);
  });

  it('passes an equal candidate once the period is over, and not before', () => {
    const equal = reports(150, 0, 0.02);
    const early = shadowVerdict(equal, { startedAt: started, now: hoursLater(23.5) }, policy);
    expect(early.verdict).toBe('continue');
    expect(early.reasons).toEqual(['23.5 of 24 hours in shadow']);
    const done = shadowVerdict(equal, { startedAt: started, now: hoursLater(24) }, policy);
    expect(done.verdict).toBe('pass');
    expect(done.reasons[0]).toMatch(
      /shadow over \(150 reports, 24\.0 hours\): not worse .* on any of 3 metrics/,
    );
    for (const c of done.comparisons) {
      expect(c).toMatchObject({ evaluationSet: 'shadow', examples: 150, gated: true, worse: false });
      expect(c.difference.lower).toBeLessThanOrEqual(c.difference.estimate);
      expect(c.difference.upper).toBeGreaterThanOrEqual(-policy.tolerance);
    }
  });

  it('passes a slightly worse candidate within the tolerance, and stops the same loss with no tolerance', () => {
    const slight = reports(400, -0.002, 0.01);
    const period = { startedAt: started, now: hoursLater(30) };
    expect(shadowVerdict(slight, period, policy).verdict).toBe('pass');
    expect(shadowVerdict(slight, period, { ...policy, tolerance: 0 }).verdict).toBe('stop');
  });

  it('continues on no reports, and is the same on every call (seeded resamples)', () => {
    const none = shadowVerdict([], { startedAt: started, now: hoursLater(100) }, policy);
    expect(none).toMatchObject({ verdict: 'continue', reports: 0, comparisons: [] });
    const scores = reports(120, -0.004, 0.05);
    const period = { startedAt: started, now: hoursLater(1) };
    expect(shadowVerdict(scores, period, policy)).toEqual(shadowVerdict(scores, period, policy));
  });

  it('counts hours only when a period is set, and is off when neither reports nor hours are', () => {
    const reportsOnly = { ...policy, periodHours: 0 };
    expect(shadowVerdict(reports(100, 0), { startedAt: started, now: started }, reportsOnly).verdict).toBe(
      'pass',
    );
    expect(shadowEnabled(reportsOnly)).toBe(true);
    expect(shadowEnabled({ minReports: 0, periodHours: 24 })).toBe(true);
    expect(shadowEnabled({ minReports: 0, periodHours: 0 })).toBe(false);
  });
});
