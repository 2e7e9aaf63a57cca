import {
  drawResamples,
  labelIntervals,
  scoreLabels,
  type LabelIntervals,
  type LabelPair,
  type LabelReport,
  type UncertainPolicy,
} from '@radflow/metrics';
import { pickIndices, SUBSETS, type Subset } from './subsets.ts';

export interface LabelSystemResult {
  scores: LabelReport;
  intervals: LabelIntervals;
}

/** system -> subset -> result (null for an empty subset). */
export type LabelSystems = Record<string, Record<Subset, LabelSystemResult | null>>;

/**
 * Each system's label calls against the reference: per label, micro and macro P/R/F1 with bootstrap intervals, per
 * subset. Every system of a subset is scored on the same resamples.
 */
export function scoreLabelSystems(
  pairsBySystem: Readonly<Record<string, readonly LabelPair[]>>,
  labels: readonly string[],
  subsets: Record<Subset, readonly number[]>,
  options: { resamples: number; seed: number; uncertain: UncertainPolicy },
): LabelSystems {
  const out: LabelSystems = {};
  const sets = Object.fromEntries(
    SUBSETS.map((s) => [s, drawResamples(subsets[s].length, options)]),
  ) as Record<Subset, Uint32Array[]>;
  for (const [name, pairs] of Object.entries(pairsBySystem)) {
    out[name] = Object.fromEntries(
      SUBSETS.map((subset) => {
        const chosen = pickIndices(pairs, subsets[subset]);
        if (chosen.length === 0) return [subset, null];
        return [
          subset,
          {
            scores: scoreLabels(chosen, labels, options),
            intervals: labelIntervals(chosen, labels, sets[subset], options),
          },
        ];
      }),
    ) as Record<Subset, LabelSystemResult | null>;
  }
  return out;
}
