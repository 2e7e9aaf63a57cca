import { describe, expect, it } from 'vitest';
import { pairedLabelMicroF1, pairedTextIntervals } from './paired-comparison.ts';

const options = { resamples: 200, seed: 7, level: 0.95 };

describe('paired comparisons', () => {
  it('scores two systems on the same resamples: identical outputs differ by exactly zero', () => {
    const references = ['Cardiomegaly.', 'No acute disease.', 'Small left effusion.', 'Clear lungs.'];
    const drafts = ['Cardiomegaly.', 'No disease.', 'Left effusion.', 'Lungs clear.'];
    const result = pairedTextIntervals(references, drafts, drafts, options);
    expect(Object.keys(result)).toEqual(['rougeL', 'bleu1', 'f1']);
    for (const metric of ['rougeL', 'bleu1', 'f1'] as const) {
      expect(result[metric].candidate).toEqual(result[metric].current);
      expect(result[metric].difference).toMatchObject({ estimate: 0, lower: 0, upper: 0, resamples: 200 });
    }
  });

  it('shows a candidate that copies the references as better', () => {
    const references = ['Cardiomegaly.', 'No acute disease.', 'Small left effusion.', 'Clear lungs.'];
    const result = pairedTextIntervals(references, references, ['x', 'y', 'z', 'w'], options);
    expect(result.rougeL.candidate.estimate).toBe(1);
    expect(result.rougeL.current.estimate).toBe(0);
    expect(result.rougeL.difference.lower).toBe(1);
  });

  it('compares micro F1 of label calls (uncertain counts positive)', () => {
    const gold = [
      { edema: 'present' as const },
      { edema: 'absent' as const },
      { edema: 'uncertain' as const },
    ];
    const result = pairedLabelMicroF1(
      ['edema'],
      gold,
      [{ edema: 'present' }, {}, { edema: 'present' }],
      [{}, {}, {}],
      options,
    );
    expect(result.candidate.estimate).toBe(1);
    expect(result.current.estimate).toBe(0);
    expect(result.difference.estimate).toBe(1);
  });
});
