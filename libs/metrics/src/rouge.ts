import { stemmer } from 'stemmer';

export interface RougeOptions {
  /**
   * Porter-stem tokens longer than 3 characters, as rouge-score's `use_stemmer=True`. Off by default, like the
   * published Open-i figures. The `stemmer` package is Porter's original algorithm; rouge-score uses NLTK's
   * variant, which differs on a few words (on Open-i's 1,695 distinct words of 4+ letters, 11 differ, e.g.
   * "airway" -> "airwai" here, "airway" in NLTK), so stemmed scores can differ slightly from rouge-score's.
   */
  stem?: boolean;
}

export interface PrecisionRecallF {
  precision: number;
  recall: number;
  f: number;
}

/** rouge-score's tokenizer: lower-case, every run of characters outside [a-z0-9] is a separator. */
export function rougeTokenize(text: string, options: RougeOptions = {}): string[] {
  const tokens = text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
  return options.stem ? tokens.map((t) => (t.length > 3 ? stemmer(t) : t)) : tokens;
}

/** Length of the longest common subsequence, O(n·m) time and O(m) memory. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (const tokenA of a) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = tokenA === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/** ROUGE-L over the whole text (rouge-score's `rougeL`, not `rougeLsum`). Zero when either side has no tokens. */
export function rougeL(candidate: string, reference: string, options: RougeOptions = {}): PrecisionRecallF {
  const candidateTokens = rougeTokenize(candidate, options);
  const referenceTokens = rougeTokenize(reference, options);
  if (candidateTokens.length === 0 || referenceTokens.length === 0) return { precision: 0, recall: 0, f: 0 };
  const lcs = lcsLength(referenceTokens, candidateTokens);
  const precision = lcs / candidateTokens.length;
  const recall = lcs / referenceTokens.length;
  const f = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f };
}
