import { describe, expect, it } from 'vitest';
import { scoreLabelTask } from './label-task.ts';

describe('scoreLabelTask', () => {
  it('scores each system and the most frequent label set as the baseline, per subset', () => {
    const usable = [{ problems: 'normal' }, { problems: 'Cardiomegaly' }, { problems: 'Cardiomegaly' }];
    const gold = [{}, { cardiomegaly: 'present' as const }, { cardiomegaly: 'present' as const }];
    const { results, baselineSet } = scoreLabelTask({
      reference: 'test gold',
      labels: ['cardiomegaly', 'edema'],
      usable,
      gold,
      predictions: { model: [{}, { cardiomegaly: 'present' }, { edema: 'present' }] },
      baselineFrom: gold,
      unparsed: 1,
      skipped: { empty: 0 },
      bootstrap: { resamples: 20, seed: 1, uncertain: 'negative' },
    });
    expect(baselineSet).toEqual(['cardiomegaly']);
    expect(Object.keys(results.systems)).toEqual(['model', 'baseline']);
    expect(results.counts).toEqual({ all: 3, normal: 1, abnormal: 2 });
    expect(results.systems['model']!.all!.scores.micro).toMatchObject({ tp: 1, fp: 1, fn: 1 });
    expect(results.systems['baseline']!.all!.scores.micro).toMatchObject({ tp: 2, fp: 1, fn: 0 });
    expect(results.systems['baseline']!.normal!.scores.micro).toMatchObject({ tp: 0, fp: 1, fn: 0 });
    expect(results.unparsed).toBe(1);
    expect(results).not.toHaveProperty('unannotated');
  });
});
