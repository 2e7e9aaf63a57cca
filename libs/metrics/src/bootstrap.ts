import { createRng, randomIndex } from './prng.ts';

export interface BootstrapOptions {
  /** Number of resamples. 1,000 by default; the paper draws 10 (then the bounds are close to the min and max). */
  resamples?: number;
  /** Seed of the resampling, so the same data gives the same interval on every run. */
  seed?: number;
  /** Coverage of the interval, 0.95 by default (2.5th and 97.5th percentiles). */
  level?: number;
}

export interface ConfidenceInterval {
  /** The statistic on the original sample (not the mean of the resamples). */
  estimate: number;
  lower: number;
  upper: number;
  resamples: number;
  level: number;
}

export const DEFAULT_RESAMPLES = 1000;
export const PAPER_RESAMPLES = 10;
export const DEFAULT_SEED = 20240131;

/**
 * Index sets of the bootstrap resamples: each of size n, drawn with replacement. Draw them once and score every
 * system on the same sets, so that intervals of systems are paired.
 */
export function drawResamples(n: number, options: BootstrapOptions = {}): Uint32Array[] {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`sample size must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  const rng = createRng(options.seed ?? DEFAULT_SEED);
  const sets: Uint32Array[] = [];
  for (let b = 0; b < resamples; b++) {
    const indices = new Uint32Array(n);
    for (let i = 0; i < n; i++) indices[i] = randomIndex(rng, n);
    sets.push(indices);
  }
  return sets;
}

/** Percentile with linear interpolation between order statistics (numpy's default). */
export function percentile(sortedValues: readonly number[], p: number): number {
  if (sortedValues.length === 0) return Number.NaN;
  const position = (p / 100) * (sortedValues.length - 1);
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sortedValues[below]!;
  const high = sortedValues[above]!;
  return low + (high - low) * (position - below);
}

/** Percentile bootstrap interval of any statistic over examples, given precomputed resamples. */
export function intervalFromResamples(
  n: number,
  statistic: (indices: ArrayLike<number>) => number,
  resampleSets: readonly Uint32Array[],
  level = 0.95,
): ConfidenceInterval {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must lie in (0, 1), got ${level}`);
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const estimate = statistic(all);
  const values = resampleSets.map((s) => statistic(s)).filter((v) => !Number.isNaN(v));
  values.sort((a, b) => a - b);
  const tail = ((1 - level) / 2) * 100;
  return {
    estimate,
    lower: percentile(values, tail),
    upper: percentile(values, 100 - tail),
    resamples: resampleSets.length,
    level,
  };
}

/** Percentile bootstrap interval of a statistic over n examples. */
export function bootstrapCi(
  n: number,
  statistic: (indices: ArrayLike<number>) => number,
  options: BootstrapOptions = {},
): ConfidenceInterval {
  return intervalFromResamples(n, statistic, drawResamples(n, options), options.level ?? 0.95);
}

/** Mean of the values at the given indices (NaN for none). */
export function meanAt(values: ArrayLike<number>, indices: ArrayLike<number>): number {
  if (indices.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < indices.length; i++) sum += values[indices[i]!]!;
  return sum / indices.length;
}

/** Bootstrap interval of the mean of per-example scores (the paper's lexical metrics). */
export function bootstrapMean(values: readonly number[], options: BootstrapOptions = {}): ConfidenceInterval {
  return bootstrapCi(values.length, (idx) => meanAt(values, idx), options);
}
