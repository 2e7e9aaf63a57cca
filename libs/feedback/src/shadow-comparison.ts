import { PAIRED_TEXT_METRICS, type PairedTextMetric } from '@radflow/evaluation';
import { drawResamples, intervalFromResamples, meanAt, scoreTextPairs } from '@radflow/metrics';
import type { RadiologyReport } from '@radflow/schemas';
import type { Interval, MetricComparison } from './evaluation-gate.ts';
import { FINAL_STATUSES } from './feedback-record.ts';

/**
 * Shadow evaluation: a candidate drafts beside the serving model on live finalized reports, and both drafts are
 * scored against the impression the radiologist signed, with the gate's impression metrics. This file holds the
 * scores of one report and the running comparison over all of them; the verdict is in shadow-verdict.ts.
 */
export type ShadowMetric = PairedTextMetric;
export const SHADOW_METRICS: readonly ShadowMetric[] = PAIRED_TEXT_METRICS;

/** One draft's scores against the signed impression, each in [0, 1]. */
export type ImpressionScores = Record<ShadowMetric, number>;

/** One finalized report, drafted by both models. */
export interface ShadowReportScores {
  candidate: ImpressionScores;
  serving: ImpressionScores;
}

export interface ShadowComparisonOptions {
  metrics: readonly ShadowMetric[];
  resamples: number;
  seed: number;
  level: number;
}

export type ShadowSkipReason = 'not-final' | 'no-findings' | 'no-signed-impression';

/**
 * What shadow evaluation reads from a finalized report: the findings both models draft from and the impression the
 * radiologist signed. A report without either cannot score a draft.
 */
export function shadowInput(
  report: RadiologyReport,
): { findings: string; signedImpression: string } | { skipped: ShadowSkipReason } {
  if (!FINAL_STATUSES.has(report.status)) return { skipped: 'not-final' };
  const findings = report.sections.findings?.trim();
  if (!findings) return { skipped: 'no-findings' };
  const signedImpression = report.sections.impression?.trim();
  if (!signedImpression) return { skipped: 'no-signed-impression' };
  return { findings, signedImpression };
}

/** The scores of one draft against what the radiologist signed (the same scorers as the gate). */
export function impressionScores(draft: string, signed: string): ImpressionScores {
  const scored = scoreTextPairs([draft], [signed]);
  return Object.fromEntries(SHADOW_METRICS.map((m) => [m, scored[m][0]!])) as ImpressionScores;
}

function interval(ci: Interval): Interval {
  return { estimate: ci.estimate, lower: ci.lower, upper: ci.upper };
}

/**
 * The running comparison, one entry per metric, in the gate's shape (evaluation set `shadow`, `current` being the
 * serving model): both means and the paired difference (candidate minus serving), each with its percentile
 * bootstrap interval over the same seeded resamples of the reports. `gated` and `worse` are the verdict's to set.
 * Empty when no report was scored yet.
 */
export function shadowComparison(
  scores: readonly ShadowReportScores[],
  options: ShadowComparisonOptions,
): MetricComparison[] {
  const n = scores.length;
  if (n === 0) return [];
  const sets = drawResamples(n, { resamples: options.resamples, seed: options.seed });
  return options.metrics.map((metric) => {
    const candidate = scores.map((s) => s.candidate[metric]);
    const serving = scores.map((s) => s.serving[metric]);
    const of = (values: number[]) => (idx: ArrayLike<number>) => meanAt(values, idx);
    return {
      evaluationSet: 'shadow',
      metric,
      examples: n,
      candidate: interval(intervalFromResamples(n, of(candidate), sets, options.level)),
      current: interval(intervalFromResamples(n, of(serving), sets, options.level)),
      difference: interval(
        intervalFromResamples(n, (idx) => of(candidate)(idx) - of(serving)(idx), sets, options.level),
      ),
      gated: false,
      worse: false,
    };
  });
}
