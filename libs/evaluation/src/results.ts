import type { UncertainPolicy } from '@radflow/metrics';
import type { ImpressionBaseline } from './baselines.ts';
import type { ImpressionGeneration } from './generation-checks.ts';
import type { ImpressionSystems } from './impression-scores.ts';
import type { LabelSystems } from './label-systems.ts';
import type { Subset } from './subsets.ts';

export type EvalTask = 'impression' | 'labels' | 'devices' | 'all';

export interface ImpressionResults {
  /** Reports with both findings and impression, per subset. */
  counts: Record<Subset, number>;
  /** Reports left out: neither findings nor impression, or only one of them (the task needs both). */
  skipped: { empty: number; noFindings: number; noImpression: number };
  baseline: ImpressionBaseline;
  /** system -> subset -> metric -> interval (scores in [0, 1]). */
  systems: ImpressionSystems;
  rougeStemmer: false;
  /** The model's drafts only. */
  generation?: ImpressionGeneration;
}

export interface LabelTaskResults {
  /** What the systems are scored against. */
  reference: string;
  labels: string[];
  /** Labels the reference never marks present, so not scored (abnormality labels only). */
  unannotated?: string[];
  counts: Record<Subset, number>;
  /** system -> subset -> result (null for an empty subset). */
  systems: LabelSystems;
  /** Model answers that did not parse (scored as no labels). */
  unparsed?: number;
  /** Reports left out: neither findings nor impression; without a NegBio row (abnormality labels only). */
  skipped: { empty: number; noReference?: number };
}

/** What `radflow eval` writes to eval-results.json. */
export interface EvalResults {
  generatedAt: string;
  task: EvalTask;
  reports: number;
  model: { name: string; version: string } | null;
  rules: { name: string; version: string };
  bootstrap: { resamples: number; seed: number; level: 0.95; method: 'percentile' };
  uncertain: UncertainPolicy;
  impression?: ImpressionResults;
  labels?: LabelTaskResults;
  devices?: LabelTaskResults;
  notes: string[];
  tables: Record<string, string>;
}
