import { describe, expect, it } from 'vitest';
import examples from '../reference/examples.json' with { type: 'json' };
import { bleu1Tokens } from './bleu.ts';
import { rougeL } from './rouge.ts';

// Produced by rouge-score 0.1.2 and nltk 3.10.4 (PyPI) on ../reference/examples.json with
// ../reference/generate_expected.py: RougeScorer(['rougeL'], use_stemmer=False|True).score(reference, candidate).fmeasure
// and sentence_bleu([reference.lower().split()], candidate.lower().split(), weights=(1, 0, 0, 0)).
const EXPECTED = [
  { rougeL: 1.0, rougeLStemmed: 1.0, bleu1: 1.0 },
  { rougeL: 0.75, rougeLStemmed: 0.75, bleu1: 0.75 },
  { rougeL: 0.0, rougeLStemmed: 0.0, bleu1: 0.0 },
  { rougeL: 0.5882352941176471, rougeLStemmed: 0.5882352941176471, bleu1: 0.21729910425353913 },
  { rougeL: 0.761904761904762, rougeLStemmed: 0.761904761904762, bleu1: 0.6959861353000654 },
  { rougeL: 0.5, rougeLStemmed: 0.5, bleu1: 0.22744899739223753 },
  { rougeL: 0.7368421052631579, rougeLStemmed: 0.8421052631578948, bleu1: 0.45454545454545453 },
  { rougeL: 0, rougeLStemmed: 0, bleu1: 0.0 },
  { rougeL: 0, rougeLStemmed: 0, bleu1: 0.0 },
  { rougeL: 0.4, rougeLStemmed: 0.4, bleu1: 0.3333333333333333 },
  { rougeL: 0.5, rougeLStemmed: 0.5, bleu1: 0.3333333333333333 },
  { rougeL: 0.47058823529411764, rougeLStemmed: 0.47058823529411764, bleu1: 0.2222222222222222 },
  { rougeL: 0.5384615384615384, rougeLStemmed: 0.5384615384615384, bleu1: 0.46153846153846156 },
  { rougeL: 0.7200000000000001, rougeLStemmed: 0.7200000000000001, bleu1: 0.5458775937413701 },
  { rougeL: 0.5, rougeLStemmed: 0.75, bleu1: 0.3333333333333333 },
];

const whitespaceTokens = (text: string) =>
  text
    .toLowerCase()
    .split(/\s+/)
    .filter((t) => t.length > 0);

describe('cross-check against rouge-score 0.1.2 and nltk 3.10.4', () => {
  it('has one expected row per example', () => {
    expect(EXPECTED).toHaveLength(examples.pairs.length);
  });

  examples.pairs.forEach(({ candidate, reference }, i) => {
    const expected = EXPECTED[i]!;
    it(`example ${i}: ROUGE-L, stemmed ROUGE-L and BLEU-1 match`, () => {
      expect(rougeL(candidate, reference).f).toBeCloseTo(expected.rougeL, 12);
      expect(rougeL(candidate, reference, { stem: true }).f).toBeCloseTo(expected.rougeLStemmed, 12);
      expect(bleu1Tokens(whitespaceTokens(candidate), whitespaceTokens(reference))).toBeCloseTo(
        expected.bleu1,
        12,
      );
    });
  });
});
