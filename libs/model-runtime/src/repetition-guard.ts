import { repeatedNgram } from '@radflow/metrics';

/** Vetoes a free-text token that would make the answer repeat itself. */
export interface RepetitionGuard {
  /** False when `candidate` after `tokens` creates a repetition that `tokens` alone did not have. */
  allows(tokens: readonly number[], candidate: number): boolean;
}

/**
 * No word n-gram twice in an answer, judged on decoded words the way the evaluation counts them (lower-cased, punctuation
 * ignored: `repeatedNgram`), not on token ids: Hugging Face's token-level no_repeat_ngram_size would also forbid
 * "left pleural effusion ... right pleural effusion", whose sub-word tokens repeat while no 3-word phrase does. The word
 * still being written counts as complete, so the token that would finish a repeated phrase is the one refused.
 */
export class WordNgramGuard implements RepetitionGuard {
  constructor(
    private readonly decode: (ids: readonly number[]) => string,
    private readonly n = 3,
  ) {}

  allows(tokens: readonly number[], candidate: number): boolean {
    if (repeatedNgram(this.decode([...tokens, candidate]), this.n) === null) return true;
    // Once the answer repeats (every alternative was refused and the guard gave way), later tokens are not judged.
    return repeatedNgram(this.decode(tokens), this.n) !== null;
  }
}

/** How many next-best tokens the guard may refuse in one step before it gives way (the answer is then left as is). */
export const MAX_REFUSALS_PER_STEP = 8;
