import { sha256Hex } from './hashing.ts';

export type DatasetSplit = 'train' | 'eval';

export interface SplitOptions {
  /** Share of accessions held out for evaluation, in percent (0-100). */
  evalPercent: number;
  /** Changing the salt reshuffles every accession: only do it with a new dataset version. */
  salt: string;
}

export const DEFAULT_SPLIT: SplitOptions = { evalPercent: 20, salt: 'radflow-feedback-split-v1' };

/**
 * The split of an accession, from a hash of it: the same accession always lands on the same side, whatever else is
 * in the data set and however often feedback for it arrives, so no report moves from evaluation into training.
 */
export function splitOfAccession(accession: string, options: SplitOptions = DEFAULT_SPLIT): DatasetSplit {
  if (!(options.evalPercent >= 0 && options.evalPercent <= 100))
    throw new RangeError(`evalPercent must lie in [0, 100], got ${options.evalPercent}`);
  const bucket = parseInt(sha256Hex(`${options.salt}:${accession}`).slice(0, 8), 16) % 100;
  return bucket < options.evalPercent ? 'eval' : 'train';
}

/** A key for an accession that can sit in a training file without identifying the report. */
export function accessionKey(accession: string, salt: string = DEFAULT_SPLIT.salt): string {
  return sha256Hex(`${salt}:key:${accession}`).slice(0, 20);
}
