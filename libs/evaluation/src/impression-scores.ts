import {
  drawResamples,
  scoreTextPairs,
  textIntervals,
  TEXT_METRICS,
  type ConfidenceInterval,
  type TextMetric,
} from '@radflow/metrics';
import { pickIndices, SUBSETS, type Subset } from './subsets.ts';

/** system -> subset -> metric -> interval (scores in [0, 1]); null for an empty subset. */
export type ImpressionSystems = Record<string, Record<Subset, Record<TextMetric, ConfidenceInterval> | null>>;

/**
 * Each system's impressions against the references: per-example ROUGE-L (no stemming), BLEU-1 and unigram F1/P/R,
 * their means with percentile bootstrap intervals, per subset (resamples drawn over each subset's examples).
 */
export function scoreImpressionSystems(
  outputs: Readonly<Record<string, readonly string[]>>,
  references: readonly string[],
  subsets: Record<Subset, readonly number[]>,
  bootstrap: { resamples: number; seed: number },
): ImpressionSystems {
  const systems: ImpressionSystems = {};
  for (const [name, candidates] of Object.entries(outputs)) {
    const perExample = scoreTextPairs(candidates, references);
    systems[name] = Object.fromEntries(
      SUBSETS.map((subset) => {
        const idx = subsets[subset];
        if (idx.length === 0) return [subset, null];
        const scores = Object.fromEntries(
          TEXT_METRICS.map((m) => [m, pickIndices(perExample[m], idx)]),
        ) as Record<TextMetric, number[]>;
        return [subset, textIntervals(scores, drawResamples(idx.length, bootstrap))];
      }),
    ) as Record<Subset, Record<TextMetric, ConfidenceInterval> | null>;
  }
  return systems;
}
