import { repeatedNgram } from '@radflow/metrics';

export interface ImpressionGeneration {
  distinct: number;
  repeated3gram: number;
  repeatedExamples: string[];
}

/** Decoding failures that ROUGE hides: how many drafts differ, how many repeat a 3-word phrase. */
export function generationChecks(drafts: readonly string[]): ImpressionGeneration {
  const repeats = drafts.filter((d) => repeatedNgram(d, 3) !== null);
  return {
    distinct: new Set(drafts.map((d) => d.trim().toLowerCase())).size,
    repeated3gram: repeats.length,
    repeatedExamples: repeats.slice(0, 5),
  };
}
