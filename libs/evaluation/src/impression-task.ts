import type { ImpressionBaseline } from './baselines.ts';
import { generationChecks } from './generation-checks.ts';
import { scoreImpressionSystems } from './impression-scores.ts';
import type { ImpressionResults } from './results.ts';
import { subsetCounts, subsetIndices } from './subsets.ts';

/**
 * The impression task's results: the model's drafts (when there is a model) and the baseline impression, scored
 * against the reports' impressions, per subset, with the model's generation checks.
 */
export function scoreImpressionTask(input: {
  /** The scored reports, in order (see selectImpressionReports). */
  usable: readonly { problems: string; impression: string }[];
  skipped: ImpressionResults['skipped'];
  baseline: ImpressionBaseline;
  /** The model's draft for each usable report. */
  model?: { name: string; drafts: readonly string[] };
  /** Other systems' impressions for the same reports, scored beside the model (e.g. what the enricher emits). */
  others?: Readonly<Record<string, readonly string[]>>;
  bootstrap: { resamples: number; seed: number };
}): ImpressionResults {
  const { usable, model } = input;
  const subsets = subsetIndices(usable);
  const outputs: Record<string, readonly string[]> = {};
  if (model) outputs[model.name] = model.drafts;
  Object.assign(outputs, input.others ?? {});
  outputs['baseline'] = usable.map(() => input.baseline.impression);
  const systems = scoreImpressionSystems(
    outputs,
    usable.map((r) => r.impression),
    subsets,
    input.bootstrap,
  );
  return {
    counts: subsetCounts(subsets),
    skipped: input.skipped,
    baseline: input.baseline,
    systems,
    rougeStemmer: false,
    ...(model ? { generation: generationChecks(model.drafts) } : {}),
  };
}
