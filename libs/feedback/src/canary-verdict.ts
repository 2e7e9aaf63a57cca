import { DEFAULT_SEED, drawResamples, meanAt, percentile } from '@radflow/metrics';
import type { Interval, MetricComparison } from './evaluation-gate.ts';
import { SHADOW_METRICS, type ImpressionScores, type ShadowComparisonOptions } from './shadow-comparison.ts';
import { markWorse, pct, worseBy, type ShadowOutcome } from './shadow-verdict.ts';

/**
 * Canary: a version serves a share of a model's reports (chosen by accession hash) beside the serving model, which
 * serves the rest. Each live draft is scored against the impression the radiologist signed, as in shadow; unlike
 * shadow, each report was drafted by one model only, so the two arms are different reports and the comparison is
 * unpaired (each arm resampled on its own).
 */
export interface CanaryArms {
  canary: readonly ImpressionScores[];
  serving: readonly ImpressionScores[];
}

/**
 * When a canary is rolled back or may be promoted: `minReports` scored reports in each arm and `periodHours`
 * since it started (the shadow policy's meaning), `tolerance` the non-inferiority margin (0-1 units).
 */
export interface CanaryPolicy extends ShadowComparisonOptions {
  minReports: number;
  periodHours: number;
  tolerance: number;
}

export const DEFAULT_CANARY_POLICY: CanaryPolicy = {
  // Per arm: at a 10% share, 50 canary reports is ~500 reports of traffic.
  minReports: 50,
  periodHours: 24,
  tolerance: 0.005,
  metrics: SHADOW_METRICS,
  resamples: 1000,
  seed: DEFAULT_SEED,
  level: 0.95,
};

export interface CanaryVerdict {
  verdict: ShadowOutcome;
  reasons: string[];
  reports: { canary: number; serving: number };
  hoursInCanary: number;
  /** The running comparison (evaluation set `canary`, `current` the serving model), `worse` as in shadow. */
  comparisons: MetricComparison[];
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function interval(resampled: number[], estimate: number, level: number): Interval {
  const sorted = resampled.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const tail = ((1 - level) / 2) * 100;
  return { estimate, lower: percentile(sorted, tail), upper: percentile(sorted, 100 - tail) };
}

/**
 * Both arms' means and the difference (canary minus serving), each with a percentile bootstrap interval: every
 * resample draws each arm with replacement on its own (seeded, so the same scores give the same intervals). Empty
 * until both arms have a report.
 */
export function canaryComparison(arms: CanaryArms, options: ShadowComparisonOptions): MetricComparison[] {
  const nc = arms.canary.length;
  const ns = arms.serving.length;
  if (nc === 0 || ns === 0) return [];
  const canarySets = drawResamples(nc, { resamples: options.resamples, seed: options.seed });
  const servingSets = drawResamples(ns, { resamples: options.resamples, seed: options.seed + 1 });
  return options.metrics.map((metric) => {
    const c = arms.canary.map((s) => s[metric]);
    const s = arms.serving.map((x) => x[metric]);
    const cMeans = canarySets.map((idx) => meanAt(c, idx));
    const sMeans = servingSets.map((idx) => meanAt(s, idx));
    return {
      evaluationSet: 'canary',
      metric,
      examples: nc,
      candidate: interval(cMeans, mean(c), options.level),
      current: interval(sMeans, mean(s), options.level),
      difference: interval(
        cMeans.map((m, b) => m - sMeans[b]!),
        mean(c) - mean(s),
        options.level,
      ),
      gated: false,
      worse: false,
    };
  });
}

/**
 * The shadow verdict's rule on live canary traffic: `stop` (roll back) as soon as each arm has `minReports` and any
 * metric's difference lies wholly below -tolerance; `pass` once the period is over and none does; else `continue`.
 */
export function canaryVerdict(
  arms: CanaryArms,
  period: { startedAt: Date; now: Date },
  policy: CanaryPolicy = DEFAULT_CANARY_POLICY,
): CanaryVerdict {
  const reports = { canary: arms.canary.length, serving: arms.serving.length };
  const hoursInCanary = Math.max(0, (period.now.getTime() - period.startedAt.getTime()) / 3_600_000);
  const comparisons = canaryComparison(arms, policy);
  const minimum = Math.max(1, policy.minReports);
  const judged = reports.canary >= minimum && reports.serving >= minimum;
  const worse = markWorse(comparisons, judged, policy.tolerance);
  const base = { reports, hoursInCanary, comparisons };
  if (worse.length > 0) {
    return {
      verdict: 'stop',
      reasons: worse.map(
        (c) =>
          `canary ${c.metric} (n=${reports.canary} vs ${reports.serving}): canary ${pct(c.candidate.estimate)} vs ` +
          `serving ${pct(c.current.estimate)}; ` +
          worseBy(c, policy.tolerance),
      ),
      ...base,
    };
  }
  const waiting = [
    ...(reports.canary < minimum ? [`${reports.canary} of ${minimum} canary reports scored`] : []),
    ...(reports.serving < minimum ? [`${reports.serving} of ${minimum} serving reports scored`] : []),
    ...(hoursInCanary < policy.periodHours
      ? [`${hoursInCanary.toFixed(1)} of ${policy.periodHours} hours in canary`]
      : []),
  ];
  if (waiting.length > 0) return { verdict: 'continue', reasons: waiting, ...base };
  return {
    verdict: 'pass',
    reasons: [
      `canary over (${reports.canary} canary and ${reports.serving} serving reports, ${hoursInCanary.toFixed(1)} hours): ` +
        `not worse beyond the ${Math.round(policy.level * 100)}% interval on any of ${comparisons.length} metrics`,
    ],
    ...base,
  };
}
