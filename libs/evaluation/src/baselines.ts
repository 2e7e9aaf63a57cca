import { collapseWhitespace } from './whitespace.ts';

/** The most frequent non-empty text (whitespace-normalised); ties go to the one seen first. */
export function mostFrequent(texts: Iterable<string>): string | null {
  const counts = new Map<string, number>();
  for (const text of texts) {
    const key = collapseWhitespace(text);
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [text, count] of counts) {
    if (count > bestCount) {
      best = text;
      bestCount = count;
    }
  }
  return best;
}

export interface ImpressionBaseline {
  impression: string;
  source: 'train split' | 'evaluated reports';
}

/** The trivial baseline: the most frequent impression of the train split when it is known, else of the given rows. */
export function baselineImpression(
  rows: readonly { uid: string; impression: string }[],
  trainUids?: ReadonlySet<string>,
): ImpressionBaseline {
  const train = trainUids ? rows.filter((r) => trainUids.has(r.uid)) : [];
  const fromTrain = train.length > 0 ? mostFrequent(train.map((r) => r.impression)) : null;
  if (fromTrain !== null) return { impression: fromTrain, source: 'train split' };
  return { impression: mostFrequent(rows.map((r) => r.impression)) ?? '', source: 'evaluated reports' };
}

/** The most frequent label set (as a sorted key) among reports: the labels baseline. */
export function mostFrequentLabelSet(sets: Iterable<Iterable<string>>): string[] {
  const key = mostFrequent([...sets].map((s) => [...s].sort().join('|') || '∅'));
  return key === null || key === '∅' ? [] : key.split('|');
}
