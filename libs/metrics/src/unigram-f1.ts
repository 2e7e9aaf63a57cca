import { llavaNormalize, llavaNormalizeWord, unigramCounts } from './llava-normalize.ts';

export interface UnigramScore {
  f1: number;
  precision: number;
  recall: number;
}

const ZERO: UnigramScore = { f1: 0, precision: 0, recall: 0 };

/**
 * The paper's "F1-score": LLaVA-Med's `calculate_f1score` as run_eval.py calls it (text lower-cased and
 * normalised, then normalised again inside the function). Counts are not clipped: a candidate word that occurs in
 * the reference counts as many times as the candidate has it.
 */
export function unigramF1(candidate: string, reference: string): UnigramScore {
  const candidateWords = unigramCounts(tokensOf(candidate));
  const referenceWords = unigramCounts(tokensOf(reference));
  if (candidateWords.size === 0 || referenceWords.size === 0) return ZERO;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [word, count] of candidateWords) {
    if (referenceWords.has(word)) tp += count;
    else fp += count;
  }
  for (const [word, count] of referenceWords) {
    if (!candidateWords.has(word)) fn += count;
  }
  if (tp === 0) return ZERO;
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  return { f1: (2 * precision * recall) / (precision + recall), precision, recall };
}

/** Tokens as LLaVA-Med's metrics see them. */
export function llavaTokens(text: string): string[] {
  return llavaNormalize(text)
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

function tokensOf(text: string): string[] {
  return llavaNormalizeWord(llavaNormalize(text))
    .split(/\s+/)
    .filter((w) => w.length > 0);
}
