import { describe, expect, it } from 'vitest';
import { drawResamples } from './bootstrap.ts';
import { labelIntervals } from './label-intervals.ts';
import { scoreLabels, type LabelPair } from './label-scores.ts';

const LABELS = ['effusion', 'cardiomegaly', 'hernia'];

// Worked by hand: effusion tp 2, fp 1, fn 1; cardiomegaly tp 1, fp 0, fn 0 (plus one uncertain cell); hernia none.
const PAIRS: LabelPair[] = [
  { gold: { effusion: 'present' }, predicted: { effusion: 'present' } },
  {
    gold: { effusion: 'present', cardiomegaly: 'present' },
    predicted: { effusion: 'present', cardiomegaly: 'present' },
  },
  { gold: { effusion: 'present' }, predicted: {} },
  { gold: {}, predicted: new Map([['effusion', 'present']]) },
  { gold: {}, predicted: { cardiomegaly: 'uncertain' } },
];

describe('scoreLabels', () => {
  it('counts uncertain as positive by default', () => {
    const r = scoreLabels(PAIRS, LABELS);
    expect(r.uncertain).toBe('positive');
    const [effusion, cardiomegaly, hernia] = r.perLabel;
    expect(effusion).toMatchObject({ tp: 2, fp: 1, fn: 1, tn: 1, support: 3 });
    expect(effusion!.f1).toBeCloseTo(2 / 3, 12);
    expect(cardiomegaly).toMatchObject({ tp: 1, fp: 1, fn: 0, support: 1, precision: 0.5, recall: 1 });
    expect(hernia).toMatchObject({ tp: 0, fp: 0, fn: 0, support: 0, f1: 0 });
    // micro: tp 3, fp 2, fn 1
    expect(r.micro.precision).toBeCloseTo(3 / 5, 12);
    expect(r.micro.recall).toBeCloseTo(3 / 4, 12);
    expect(r.micro.f1).toBeCloseTo(2 / 3, 12);
    // macro over the two labels with support
    expect(r.macro.labels).toBe(2);
    expect(r.macro.f1).toBeCloseTo((2 / 3 + 2 / 3) / 2, 12);
  });

  it('counts uncertain as absent with the negative policy', () => {
    const cardiomegaly = scoreLabels(PAIRS, LABELS, { uncertain: 'negative' }).perLabel[1]!;
    expect(cardiomegaly).toMatchObject({ tp: 1, fp: 0, fn: 0, tn: 4, f1: 1 });
  });

  it('leaves uncertain cells out with the exclude policy', () => {
    const cardiomegaly = scoreLabels(PAIRS, LABELS, { uncertain: 'exclude' }).perLabel[1]!;
    expect(cardiomegaly).toMatchObject({ tp: 1, fp: 0, fn: 0, tn: 3 });
  });
});

describe('labelIntervals', () => {
  it('brackets the micro and macro F1 and is reproducible', () => {
    const many = Array.from({ length: 40 }, (_, i) => PAIRS[i % PAIRS.length]!);
    const sets = drawResamples(many.length, { resamples: 200 });
    const ci = labelIntervals(many, LABELS, sets);
    expect(ci.micro.f1.estimate).toBeCloseTo(2 / 3, 12);
    expect(ci.micro.f1.lower).toBeLessThanOrEqual(ci.micro.f1.estimate);
    expect(ci.micro.f1.upper).toBeGreaterThanOrEqual(ci.micro.f1.estimate);
    expect(ci.micro.f1.upper).toBeGreaterThan(ci.micro.f1.lower);
    expect(ci.perLabelF1['effusion']!.estimate).toBeCloseTo(2 / 3, 12);
    expect(labelIntervals(many, LABELS, sets)).toEqual(ci);
  });
});
