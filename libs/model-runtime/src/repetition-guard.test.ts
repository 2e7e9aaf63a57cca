import { describe, expect, it } from 'vitest';
import { WordNgramGuard } from './repetition-guard.ts';

// A toy vocabulary: each id decodes to its piece, so answers are written as arrays of pieces.
const pieces = [
  '1.',
  ' Left',
  ' lower',
  ' lobe',
  ' pneumonia',
  '.',
  ' 2.',
  ' right',
  ' ple',
  'ural',
  ' effusion',
  ' left',
];
const id = (piece: string) => pieces.indexOf(piece);
const guard = new WordNgramGuard((ids) => ids.map((i) => pieces[i]).join(''));
const ids = (...answer: string[]) => answer.map(id);

describe('WordNgramGuard', () => {
  it('refuses the token that would finish a repeated 3-word phrase', () => {
    const written = ids('1.', ' Left', ' lower', ' lobe', ' pneumonia', '.', ' 2.', ' Left', ' lower');
    expect(guard.allows(written, id(' lobe'))).toBe(false);
    expect(guard.allows(written, id(' right'))).toBe(true);
  });

  it('judges words, not sub-word tokens: "left pleural effusion" and "right pleural effusion" may both be written', () => {
    const written = ids('1.', ' Left', ' ple', 'ural', ' effusion', '.', ' 2.', ' right', ' ple', 'ural');
    expect(guard.allows(written, id(' effusion'))).toBe(true);
  });

  it('ignores case and punctuation the way the evaluation counts repeats', () => {
    const written = ids(' Left', ' lower', ' lobe', '.', ' left', ' lower');
    expect(guard.allows(written, id(' lobe'))).toBe(false);
  });

  it('stops judging once the answer already repeats (it gave way earlier)', () => {
    const written = ids(' Left', ' lower', ' lobe', ' Left', ' lower', ' lobe');
    expect(guard.allows(written, id(' Left'))).toBe(true);
  });
});
