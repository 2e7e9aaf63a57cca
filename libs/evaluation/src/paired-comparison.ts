import {
  countLabels,
  drawResamples,
  intervalFromResamples,
  meanAt,
  scoreTextPairs,
  summariseCounts,
  type ConfidenceInterval,
  type LabelAssignment,
  type LabelPair,
} from '@radflow/metrics';

/** Two systems scored on the same examples and the same resamples: each one's interval and their difference's. */
export interface PairedIntervals {
  candidate: ConfidenceInterval;
  current: ConfidenceInterval;
  /** candidate minus current, per resample. */
  difference: ConfidenceInterval;
}

export interface PairedOptions {
  resamples: number;
  seed: number;
  level: number;
}

export const PAIRED_TEXT_METRICS = ['rougeL', 'bleu1', 'f1'] as const;
export type PairedTextMetric = (typeof PAIRED_TEXT_METRICS)[number];

function paired(
  n: number,
  candidate: (idx: ArrayLike<number>) => number,
  current: (idx: ArrayLike<number>) => number,
  sets: readonly Uint32Array[],
  level: number,
): PairedIntervals {
  return {
    candidate: intervalFromResamples(n, candidate, sets, level),
    current: intervalFromResamples(n, current, sets, level),
    difference: intervalFromResamples(n, (idx) => candidate(idx) - current(idx), sets, level),
  };
}

/** ROUGE-L, BLEU-1 and unigram F1 of two systems' texts against the same references (n > 0). */
export function pairedTextIntervals(
  references: readonly string[],
  candidate: readonly string[],
  current: readonly string[],
  options: PairedOptions,
): Record<PairedTextMetric, PairedIntervals> {
  const n = references.length;
  const c = scoreTextPairs(candidate, references);
  const k = scoreTextPairs(current, references);
  const sets = drawResamples(n, { resamples: options.resamples, seed: options.seed });
  return Object.fromEntries(
    PAIRED_TEXT_METRICS.map((metric) => [
      metric,
      paired(
        n,
        (idx) => meanAt(c[metric], idx),
        (idx) => meanAt(k[metric], idx),
        sets,
        options.level,
      ),
    ]),
  ) as Record<PairedTextMetric, PairedIntervals>;
}

/** Micro-averaged label F1 of two systems' calls against the same gold labels (n > 0; uncertain counts positive). */
export function pairedLabelMicroF1(
  labelIds: readonly string[],
  gold: readonly LabelAssignment[],
  candidate: readonly LabelAssignment[],
  current: readonly LabelAssignment[],
  options: PairedOptions,
): PairedIntervals {
  const n = gold.length;
  const pairs = (predicted: readonly LabelAssignment[]): LabelPair[] =>
    gold.map((g, i) => ({ gold: g, predicted: predicted[i]! }));
  const microF1 = (p: LabelPair[]) => (idx: ArrayLike<number>) =>
    summariseCounts(labelIds, countLabels(p, labelIds, {}, idx), 'positive', idx.length).micro.f1;
  const sets = drawResamples(n, { resamples: options.resamples, seed: options.seed });
  return paired(n, microF1(pairs(candidate)), microF1(pairs(current)), sets, options.level);
}
