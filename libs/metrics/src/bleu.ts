import { unigramCounts } from './llava-normalize.ts';
import { llavaTokens } from './unigram-f1.ts';

/**
 * BLEU-1 of one candidate against one reference, as NLTK's `sentence_bleu(weights=(1, 0, 0, 0))` without smoothing:
 * clipped unigram precision times the brevity penalty (1 when the candidate is longer than the reference,
 * exp(1 - r/c) otherwise). Zero when nothing matches or the candidate is empty.
 */
export function bleu1Tokens(candidate: readonly string[], reference: readonly string[]): number {
  if (candidate.length === 0) return 0;
  const referenceCounts = unigramCounts(reference);
  let clipped = 0;
  for (const [word, count] of unigramCounts(candidate))
    clipped += Math.min(count, referenceCounts.get(word) ?? 0);
  if (clipped === 0) return 0;
  const c = candidate.length;
  const r = reference.length;
  const brevityPenalty = c > r ? 1 : Math.exp(1 - r / c);
  return brevityPenalty * (clipped / c);
}

/** BLEU-1 on text tokenised as LLaVA-Med's run_eval.py does before calling NLTK (lower-case, normalise, split). */
export function bleu1(candidate: string, reference: string): number {
  return bleu1Tokens(llavaTokens(candidate), llavaTokens(reference));
}
