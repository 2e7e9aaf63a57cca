/** Synonyms of one vocabulary label, as regular-expression sources matched case-insensitively on a sentence. */
export interface LexiconEntry {
  /** Phrases that mention the label; their state comes from the negation / uncertainty context. */
  terms: string[];
  /** Phrases that only hint at the label ("blunting of the costophrenic angle" for an effusion): at most uncertain. */
  uncertainTerms?: string[];
  /** Phrases that mention the label as gone ("extubated"): always absent. */
  absentTerms?: string[];
  /** Labels whose mentions, when they overlap one of this label's, win ("PICC" over "central catheter"). */
  yieldsTo?: string[];
}

export type Lexicon = Readonly<Record<string, LexiconEntry>>;
