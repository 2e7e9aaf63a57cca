import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lcsLength, rougeL, rougeTokenize } from './rouge.ts';

describe('rougeTokenize', () => {
  it('lower-cases and splits on everything outside [a-z0-9], as rouge-score does', () => {
    expect(rougeTokenize('Normal chest x-XXXX. 3.4cm; É/ok')).toEqual([
      'normal',
      'chest',
      'x',
      'xxxx',
      '3',
      '4cm',
      'ok',
    ]);
  });

  it('stems only tokens longer than 3 characters', () => {
    expect(rougeTokenize('lungs are clear, opacities seen', { stem: true })).toEqual([
      'lung',
      'are',
      'clear',
      'opac',
      'seen',
    ]);
  });

  it("uses Porter's original algorithm, which differs from NLTK's variant on a few words", () => {
    expect(rougeTokenize('airway', { stem: true })).toEqual(['airwai']);
  });
});

describe('lcsLength', () => {
  it('finds the longest common subsequence', () => {
    expect(lcsLength(['a', 'b', 'c', 'd', 'e'], ['a', 'c', 'e', 'x'])).toBe(3);
    expect(lcsLength([], ['a'])).toBe(0);
  });

  it('is symmetric and bounded by the shorter sequence', () => {
    const words = fc.array(fc.constantFrom('no', 'acute', 'disease', 'effusion', 'left'), { maxLength: 12 });
    fc.assert(
      fc.property(words, words, (a, b) => {
        const l = lcsLength(a, b);
        return l === lcsLength(b, a) && l <= Math.min(a.length, b.length);
      }),
    );
  });
});

describe('rougeL', () => {
  it('is 1 for identical texts and 0 when nothing is shared', () => {
    expect(rougeL('No acute disease.', 'no acute disease').f).toBe(1);
    expect(rougeL('Cardiomegaly.', 'Normal chest.').f).toBe(0);
  });

  it('gives precision over the candidate and recall over the reference', () => {
    const score = rougeL('no acute disease', 'no acute cardiopulmonary abnormality or disease');
    expect(score.precision).toBe(1);
    expect(score.recall).toBeCloseTo(3 / 6, 12);
  });

  it('stays in [0, 1] for any text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const { f } = rougeL(a, b);
        return f >= 0 && f <= 1;
      }),
    );
  });
});
