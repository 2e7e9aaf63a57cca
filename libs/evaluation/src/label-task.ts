import type { LabelValue, UncertainPolicy } from '@radflow/metrics';
import { mostFrequentLabelSet } from './baselines.ts';
import { presentAssignment } from './label-answers.ts';
import { scoreLabelSystems } from './label-systems.ts';
import type { LabelTaskResults } from './results.ts';
import { subsetCounts, subsetIndices } from './subsets.ts';

export type LabelStates = Readonly<Record<string, LabelValue | undefined>>;

/**
 * A label task's results: each system's calls against the reference labels, then the baseline (the most frequent
 * label set of `baselineFrom`, predicted for every report), per subset.
 */
export function scoreLabelTask(input: {
  /** What the systems are scored against, in words. */
  reference: string;
  labels: string[];
  unannotated?: string[];
  /** The scored reports, in order. */
  usable: readonly { problems: string }[];
  /** The reference labels of each usable report. */
  gold: readonly LabelStates[];
  /** system name -> its calls for each usable report (columns in this order, the baseline after them). */
  predictions: Readonly<Record<string, readonly LabelStates[]>>;
  /** The reference label sets the baseline's most frequent set is taken from. */
  baselineFrom: Iterable<LabelStates>;
  /** Model answers that did not parse (given only when a model ran). */
  unparsed?: number;
  skipped: LabelTaskResults['skipped'];
  bootstrap: { resamples: number; seed: number; uncertain: UncertainPolicy };
}): { results: LabelTaskResults; baselineSet: string[] } {
  const subsets = subsetIndices(input.usable);
  const baselineSet = mostFrequentLabelSet(
    [...input.baselineFrom].map((g) => Object.keys(g).filter((k) => g[k] === 'present')),
  );
  const pairs = Object.fromEntries(
    Object.entries(input.predictions).map(([name, predicted]) => [
      name,
      input.gold.map((gold, i) => ({ gold, predicted: predicted[i]! })),
    ]),
  );
  pairs['baseline'] = input.gold.map((gold) => ({ gold, predicted: presentAssignment(baselineSet) }));
  return {
    baselineSet,
    results: {
      reference: input.reference,
      labels: input.labels,
      ...(input.unannotated ? { unannotated: input.unannotated } : {}),
      counts: subsetCounts(subsets),
      systems: scoreLabelSystems(pairs, input.labels, subsets, input.bootstrap),
      ...(input.unparsed !== undefined ? { unparsed: input.unparsed } : {}),
      skipped: input.skipped,
    },
  };
}
