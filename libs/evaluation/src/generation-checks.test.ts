import { describe, expect, it } from 'vitest';
import { generationChecks } from './generation-checks.ts';

describe('generationChecks', () => {
  it('counts distinct drafts and those repeating a 3-word phrase', () => {
    const looping = 'no acute disease no acute disease no acute disease';
    expect(generationChecks(['Cardiomegaly.', ' cardiomegaly. ', looping, 'Clear lungs.'])).toEqual({
      distinct: 3,
      repeated3gram: 1,
      repeatedExamples: [looping],
    });
  });
});
