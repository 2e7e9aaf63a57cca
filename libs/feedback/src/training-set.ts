import type { SplitOptions } from './dataset-split.ts';
import { datasetSnapshot, shuffleTargets, type DatasetSnapshot } from './dataset.ts';
import type { StoredFeedbackRecord } from './feedback-record.ts';
import { trainingExamples, type ExampleBuildResult, type TrainingExample } from './training-examples.ts';

export interface TrainingSetOptions {
  split?: SplitOptions;
  /** Permute the training answers with this seed: a control run that the gate must reject. */
  shuffleTargetsSeed?: number;
}

/** Numbers only (safe to log and store with the run): records read, examples per split and task, what was dropped. */
export interface TrainingSetCounts {
  records: number;
  train: DatasetSnapshot['counts']['train'];
  eval: DatasetSnapshot['counts']['eval'];
  skipped: ExampleBuildResult['skipped'];
  scrubbed: ExampleBuildResult['scrubbed'];
}

export interface TrainingSet {
  /** The files the trainer reads, and their hash: the data lineage of the candidate. */
  snapshot: DatasetSnapshot;
  /** How many examples the trainer learns from (0: nothing to train on). */
  trainExamples: number;
  /** The held-out examples, which the gate scores both models on beside the fixed set. */
  heldOut: TrainingExample[];
  counts: TrainingSetCounts;
}

/** One run's data set from stored feedback: scrubbed examples in the paper's format, split by accession hash. */
export function trainingSet(
  records: readonly StoredFeedbackRecord[],
  options: TrainingSetOptions = {},
): TrainingSet {
  const built = trainingExamples(records, { split: options.split });
  const examples =
    options.shuffleTargetsSeed === undefined
      ? built.examples
      : shuffleTargets(built.examples, options.shuffleTargetsSeed);
  const snapshot = datasetSnapshot(examples);
  return {
    snapshot,
    trainExamples: examples.filter((e) => e.split === 'train').length,
    heldOut: examples.filter((e) => e.split === 'eval'),
    counts: {
      records: records.length,
      train: snapshot.counts.train,
      eval: snapshot.counts.eval,
      skipped: built.skipped,
      scrubbed: built.scrubbed,
    },
  };
}
