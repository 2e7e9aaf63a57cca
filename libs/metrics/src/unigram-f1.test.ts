import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bleu1, bleu1Tokens } from './bleu.ts';
import { llavaNormalize } from './llava-normalize.ts';
import { unigramF1 } from './unigram-f1.ts';

// Expected values worked out by hand from LLaVA-Med's glossary.py / evaluate_metrics.py / run_eval.py. The port
// was also checked once against a local copy of those Python functions on 5,000 pairs (3,000 random strings of
// punctuation, digits, number words and contractions, 2,000 Open-i findings/impressions): no mismatch.
describe('llavaNormalize', () => {
  it('drops articles, maps number words to digits and deletes sentence periods', () => {
    expect(llavaNormalize('The heart is normal in size, two views.')).toBe('heart is normal in size 2 views');
  });

  it('keeps decimal points and turns punctuation between words into spaces', () => {
    expect(llavaNormalize('ETT 3.4 cm above carina/x-ray')).toBe('ett 3.4 cm above carina x ray');
  });

  it('deletes a punctuation mark everywhere once it touches a space anywhere in the text', () => {
    expect(llavaNormalize('x-ray - normal')).toBe('xray normal');
  });

  it('deletes every punctuation mark when the text has a digit,digit group', () => {
    expect(llavaNormalize('1,500 ml (left) effusion')).toBe('1500 ml left effusion');
  });

  it('restores apostrophes of contractions written without them', () => {
    expect(llavaNormalize('Dont worry, it isnt bad')).toBe("don't worry it isn't bad");
  });

  it('deletes at most 32 periods, as the original passes re.UNICODE as the count', () => {
    expect(llavaNormalize('.'.repeat(40) + 'x')).toBe('........x');
  });
});

describe('unigramF1 (LLaVA-Med, unclipped counts)', () => {
  it('scores a typical impression pair', () => {
    const s = unigramF1('No acute disease.', 'No acute cardiopulmonary abnormality.');
    expect(s.precision).toBeCloseTo(2 / 3, 12);
    expect(s.recall).toBeCloseTo(2 / 4, 12);
    expect(s.f1).toBeCloseTo(4 / 7, 12);
  });

  it('does not clip repeated candidate words (unlike SQuAD F1)', () => {
    expect(unigramF1('effusion effusion effusion', 'effusion')).toEqual({ f1: 1, precision: 1, recall: 1 });
    const s = unigramF1('effusion effusion left', 'effusion right');
    expect(s.precision).toBeCloseTo(2 / 3, 12);
    expect(s.recall).toBeCloseTo(2 / 3, 12);
  });

  it('is zero when either side is empty or nothing matches', () => {
    expect(unigramF1('', 'no acute disease')).toEqual({ f1: 0, precision: 0, recall: 0 });
    expect(unigramF1('no acute disease', 'the')).toEqual({ f1: 0, precision: 0, recall: 0 });
    expect(unigramF1('cardiomegaly', 'effusion')).toEqual({ f1: 0, precision: 0, recall: 0 });
  });

  it('ignores articles and case', () => {
    expect(unigramF1('The lungs are clear.', 'lungs are clear').f1).toBe(1);
  });

  it('stays in [0, 1] for any text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const { f1, precision, recall } = unigramF1(a, b);
        return [f1, precision, recall].every((v) => v >= 0 && v <= 1);
      }),
    );
  });
});

describe('bleu1', () => {
  it('applies the brevity penalty to short candidates', () => {
    // 2 of 2 candidate words match, c = 2, r = 4: BP = exp(1 - 4/2)
    expect(bleu1Tokens(['no', 'effusion'], ['no', 'pleural', 'effusion', 'seen'])).toBeCloseTo(
      Math.exp(-1),
      12,
    );
  });

  it('clips candidate counts by the reference counts', () => {
    expect(bleu1Tokens(['no', 'no', 'no', 'no'], ['no', 'acute', 'disease'])).toBeCloseTo(1 / 4, 12);
  });

  it('tokenises text as LLaVA-Med does before calling NLTK', () => {
    expect(bleu1('The lungs are clear.', 'Lungs are clear')).toBe(1);
    expect(bleu1('', 'lungs are clear')).toBe(0);
  });
});
