import { DEFAULT_SEED } from '@radflow/metrics';
import type { MetricComparison } from './evaluation-gate.ts';
import {
  SHADOW_METRICS,
  shadowComparison,
  type ShadowComparisonOptions,
  type ShadowReportScores,
} from './shadow-comparison.ts';

/**
 * When a candidate in shadow may be promoted or must be stopped. The shadow period is at least `minReports`
 * scored reports and at least `periodHours` since the candidate entered shadow (0 of either: no such condition;
 * 0 of both: no shadow at all, the fixed-set gate alone decides, as before shadow evaluation existed).
 */
export interface ShadowPolicy extends ShadowComparisonOptions {
  minReports: number;
  periodHours: number;
  /**
   * How much worse (0-1 units, on each metric's mean) is still "not worse". Smaller than the gate's point: shadow
   * sees hundreds of live reports, not a few dozen, so a smaller loss is visible, and the loss of a candidate that
   * learnt the wrong answers (shuffled targets) at the gentle default budget is about that small.
   */
  tolerance: number;
}

export const DEFAULT_SHADOW_POLICY: ShadowPolicy = {
  minReports: 100,
  periodHours: 24,
  tolerance: 0.005,
  metrics: SHADOW_METRICS,
  resamples: 1000,
  seed: DEFAULT_SEED,
  level: 0.95,
};

export type ShadowOutcome = 'continue' | 'pass' | 'stop';

export interface ShadowVerdict {
  verdict: ShadowOutcome;
  reasons: string[];
  reports: number;
  hoursInShadow: number;
  /** The running comparison (evaluation set `shadow`), `worse` set where the interval lies below -tolerance. */
  comparisons: MetricComparison[];
}

/** Whether candidates go through shadow at all (a period of 0 reports and 0 hours skips it). */
export function shadowEnabled(policy: Pick<ShadowPolicy, 'minReports' | 'periodHours'>): boolean {
  return policy.minReports > 0 || policy.periodHours > 0;
}

export const pct = (v: number) => (v * 100).toFixed(1);

/**
 * Marks each comparison gated (enough reports to judge) and worse (the difference's interval lies wholly below
 * -tolerance), and returns the worse ones: one rule for the shadow period and the canary.
 */
export function markWorse(
  comparisons: MetricComparison[],
  judged: boolean,
  tolerance: number,
): MetricComparison[] {
  for (const c of comparisons) {
    c.gated = judged;
    c.worse = judged && c.difference.upper < -tolerance;
  }
  return comparisons.filter((c) => c.worse);
}

/** Why a comparison counts as worse, in points, for the recorded decision. */
export function worseBy(c: MetricComparison, tolerance: number): string {
  return (
    `difference ${pct(c.difference.estimate)} [${pct(c.difference.lower)}, ${pct(c.difference.upper)}] ` +
    `lies wholly below -${pct(tolerance)}`
  );
}

/**
 * The verdict after the latest report. `stop` as soon as the minimum number of reports is reached and the paired
 * difference of any metric lies wholly below -tolerance (the candidate is shown worse: no reason to wait out the
 * period); `pass` once the period is over and no metric is shown worse; `continue` otherwise. One report is the
 * least a verdict other than `continue` needs, whatever `minReports` says.
 */
export function shadowVerdict(
  scores: readonly ShadowReportScores[],
  period: { startedAt: Date; now: Date },
  policy: ShadowPolicy = DEFAULT_SHADOW_POLICY,
): ShadowVerdict {
  const reports = scores.length;
  const hoursInShadow = Math.max(0, (period.now.getTime() - period.startedAt.getTime()) / 3_600_000);
  const comparisons = shadowComparison(scores, policy);
  const minimum = Math.max(1, policy.minReports);
  const judged = reports >= minimum;
  const worse = markWorse(comparisons, judged, policy.tolerance);
  const base = { reports, hoursInShadow, comparisons };
  if (worse.length > 0) {
    return {
      verdict: 'stop',
      reasons: worse.map(
        (c) =>
          `shadow ${c.metric} (n=${reports}): candidate ${pct(c.candidate.estimate)} vs serving ${pct(c.current.estimate)}; ` +
          worseBy(c, policy.tolerance),
      ),
      ...base,
    };
  }
  const waiting = [
    ...(reports < minimum ? [`${reports} of ${minimum} reports scored`] : []),
    ...(hoursInShadow < policy.periodHours
      ? [`${hoursInShadow.toFixed(1)} of ${policy.periodHours} hours in shadow`]
      : []),
  ];
  if (waiting.length > 0) return { verdict: 'continue', reasons: waiting, ...base };
  return {
    verdict: 'pass',
    reasons: [
      `shadow over (${reports} reports, ${hoursInShadow.toFixed(1)} hours): not worse beyond the ` +
        `${Math.round(policy.level * 100)}% interval on any of ${comparisons.length} metrics`,
    ],
    ...base,
  };
}
