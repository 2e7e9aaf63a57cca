import { describe, expect, it } from 'vitest';
import { baselineImpression, mostFrequent, mostFrequentLabelSet } from './baselines.ts';

const ROWS = [
  { uid: '1', impression: 'No acute cardiopulmonary abnormality.' },
  { uid: '2', impression: 'No acute  cardiopulmonary abnormality.' },
  { uid: '3', impression: 'Cardiomegaly.' },
  { uid: '4', impression: 'Small left pleural effusion.' },
  { uid: '5', impression: 'Cardiomegaly.' },
  { uid: '6', impression: 'Cardiomegaly.' },
];

describe('baselines', () => {
  it('picks the most frequent impression, whitespace-normalised, first seen on ties', () => {
    expect(mostFrequent(['b', 'a', 'a ', ' b', 'c'])).toBe('b');
    expect(mostFrequent(['', '  '])).toBeNull();
  });

  it('uses the train split when it is known, else the given rows', () => {
    expect(baselineImpression(ROWS)).toEqual({ impression: 'Cardiomegaly.', source: 'evaluated reports' });
    expect(baselineImpression(ROWS, new Set(['1', '2', '3']))).toEqual({
      impression: 'No acute cardiopulmonary abnormality.',
      source: 'train split',
    });
    expect(baselineImpression(ROWS, new Set(['99'])).source).toBe('evaluated reports');
  });

  it('finds the most frequent label set (empty for mostly normal data)', () => {
    expect(mostFrequentLabelSet([[], ['edema'], [], ['edema', 'atelectasis']])).toEqual([]);
    expect(mostFrequentLabelSet([['edema', 'atelectasis'], ['atelectasis', 'edema'], []])).toEqual([
      'atelectasis',
      'edema',
    ]);
  });
});
