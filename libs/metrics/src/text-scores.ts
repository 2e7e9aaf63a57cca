import { intervalFromResamples, meanAt, type ConfidenceInterval } from './bootstrap.ts';
import { bleu1 } from './bleu.ts';
import { rougeL, type RougeOptions } from './rouge.ts';
import { unigramF1 } from './unigram-f1.ts';

export const TEXT_METRICS = ['rougeL', 'bleu1', 'f1', 'precision', 'recall'] as const;
export type TextMetric = (typeof TEXT_METRICS)[number];

/** Per-example scores of generated texts against references, in [0, 1]. */
export type PerExampleTextScores = Record<TextMetric, number[]>;

export function scoreTextPairs(
  candidates: readonly string[],
  references: readonly string[],
  options: RougeOptions = {},
): PerExampleTextScores {
  if (candidates.length !== references.length) {
    throw new RangeError(
      `${candidates.length} candidates but ${references.length} references: they must pair one to one`,
    );
  }
  const scores: PerExampleTextScores = { rougeL: [], bleu1: [], f1: [], precision: [], recall: [] };
  candidates.forEach((candidate, i) => {
    const reference = references[i]!;
    const unigram = unigramF1(candidate, reference);
    scores.rougeL.push(rougeL(candidate, reference, options).f);
    scores.bleu1.push(bleu1(candidate, reference));
    scores.f1.push(unigram.f1);
    scores.precision.push(unigram.precision);
    scores.recall.push(unigram.recall);
  });
  return scores;
}

/** Mean of each per-example score with its bootstrap interval (resamples drawn over these same examples). */
export function textIntervals(
  scores: PerExampleTextScores,
  resampleSets: readonly Uint32Array[],
  level = 0.95,
): Record<TextMetric, ConfidenceInterval> {
  const n = scores.rougeL.length;
  const out = {} as Record<TextMetric, ConfidenceInterval>;
  for (const metric of TEXT_METRICS)
    out[metric] = intervalFromResamples(n, (idx) => meanAt(scores[metric], idx), resampleSets, level);
  return out;
}
