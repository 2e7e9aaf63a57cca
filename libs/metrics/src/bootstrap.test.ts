import { describe, expect, it } from 'vitest';
import { bootstrapMean, drawResamples, percentile, PAPER_RESAMPLES } from './bootstrap.ts';
import { createRng } from './prng.ts';

describe('createRng', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(first.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Array.from({ length: 10 }, createRng(43))).not.toEqual(first.slice(0, 10));
  });

  it('is roughly uniform', () => {
    const rng = createRng(1);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[Math.floor(rng() * 10)]!++;
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});

describe('percentile', () => {
  it('interpolates linearly between order statistics, as numpy does by default', () => {
    expect(percentile([1, 2, 3, 4], 25)).toBeCloseTo(1.75, 12);
    expect(percentile([1, 2, 3, 4], 97.5)).toBeCloseTo(3.925, 12);
    expect(percentile([5], 2.5)).toBe(5);
  });
});

describe('bootstrap', () => {
  const values = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // mean 0.25

  it('is reproducible with the default seed and changes with another seed', () => {
    expect(bootstrapMean(values)).toEqual(bootstrapMean(values));
    expect(bootstrapMean(values, { seed: 7 })).not.toEqual(bootstrapMean(values));
  });

  it('brackets the estimate with a width close to the normal approximation', () => {
    const ci = bootstrapMean(values);
    expect(ci.estimate).toBe(0.25);
    expect(ci.lower).toBeLessThan(0.25);
    expect(ci.upper).toBeGreaterThan(0.25);
    const normalHalfWidth = 1.96 * Math.sqrt((0.25 * 0.75) / 400); // about 0.042
    expect((ci.upper - ci.lower) / 2).toBeGreaterThan(normalHalfWidth * 0.8);
    expect((ci.upper - ci.lower) / 2).toBeLessThan(normalHalfWidth * 1.2);
    expect(ci.resamples).toBe(1000);
  });

  it("mirrors the paper's 10 resamples on request", () => {
    const ci = bootstrapMean(values, { resamples: PAPER_RESAMPLES });
    expect(ci.resamples).toBe(10);
    expect(ci.lower).toBeLessThanOrEqual(ci.upper);
  });

  it('draws resamples of the sample size with indices in range', () => {
    const sets = drawResamples(17, { resamples: 5 });
    expect(sets).toHaveLength(5);
    for (const s of sets) {
      expect(s).toHaveLength(17);
      expect(Array.from(s).every((i) => i >= 0 && i < 17)).toBe(true);
    }
  });

  it('rejects nonsense options', () => {
    expect(() => drawResamples(10, { resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapMean(values, { level: 1.5 })).toThrow(RangeError);
  });
});
