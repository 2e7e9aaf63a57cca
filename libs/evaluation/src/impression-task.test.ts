import { describe, expect, it } from 'vitest';
import { scoreImpressionTask } from './impression-task.ts';

describe('scoreImpressionTask', () => {
  const usable = [
    { problems: 'normal', impression: 'No acute disease.' },
    { problems: 'Cardiomegaly', impression: 'Cardiomegaly.' },
  ];
  const base = {
    usable,
    skipped: { empty: 0, noFindings: 0, noImpression: 0 },
    baseline: { impression: 'No acute disease.', source: 'evaluated reports' as const },
    bootstrap: { resamples: 20, seed: 1 },
  };

  it('scores the model beside the baseline, with the generation checks', () => {
    const results = scoreImpressionTask({
      ...base,
      model: { name: 'm', drafts: ['No acute disease.', 'Cardiomegaly.'] },
    });
    expect(Object.keys(results.systems)).toEqual(['m', 'baseline']);
    expect(results.systems['m']!.all!.rougeL.estimate).toBe(1);
    expect(results.systems['baseline']!.normal!.rougeL.estimate).toBe(1);
    expect(results.systems['baseline']!.abnormal!.rougeL.estimate).toBe(0);
    expect(results.generation).toEqual({ distinct: 2, repeated3gram: 0, repeatedExamples: [] });
  });

  it('scores only the baseline without a model', () => {
    const results = scoreImpressionTask(base);
    expect(Object.keys(results.systems)).toEqual(['baseline']);
    expect(results).not.toHaveProperty('generation');
  });
});
