import { intervalFromResamples, type ConfidenceInterval } from './bootstrap.ts';
import {
  countLabels,
  summariseCounts,
  DEFAULT_UNCERTAIN_POLICY,
  type LabelPair,
  type LabelReport,
  type LabelScoreOptions,
} from './label-scores.ts';

export interface LabelIntervals {
  micro: { precision: ConfidenceInterval; recall: ConfidenceInterval; f1: ConfidenceInterval };
  macro: { precision: ConfidenceInterval; recall: ConfidenceInterval; f1: ConfidenceInterval };
  perLabelF1: Record<string, ConfidenceInterval>;
}

/**
 * Bootstrap intervals of the label scores: each resample of reports is scored afresh (micro and macro are not
 * means over reports, so they cannot be resampled as per-report values).
 */
export function labelIntervals(
  pairs: readonly LabelPair[],
  labels: readonly string[],
  resampleSets: readonly Uint32Array[],
  options: LabelScoreOptions & { level?: number } = {},
): LabelIntervals {
  const policy = options.uncertain ?? DEFAULT_UNCERTAIN_POLICY;
  const cache = new Map<ArrayLike<number>, LabelReport>();
  const reportAt = (indices: ArrayLike<number>): LabelReport => {
    let report = cache.get(indices);
    if (!report) {
      report = summariseCounts(labels, countLabels(pairs, labels, options, indices), policy, indices.length);
      cache.set(indices, report);
    }
    return report;
  };
  const ci = (pick: (r: LabelReport) => number) =>
    intervalFromResamples(pairs.length, (idx) => pick(reportAt(idx)), resampleSets, options.level);
  const perLabelF1: Record<string, ConfidenceInterval> = {};
  labels.forEach((label, j) => {
    perLabelF1[label] = ci((r) => r.perLabel[j]!.f1);
  });
  return {
    micro: {
      precision: ci((r) => r.micro.precision),
      recall: ci((r) => r.micro.recall),
      f1: ci((r) => r.micro.f1),
    },
    macro: {
      precision: ci((r) => r.macro.precision),
      recall: ci((r) => r.macro.recall),
      f1: ci((r) => r.macro.f1),
    },
    perLabelF1,
  };
}
