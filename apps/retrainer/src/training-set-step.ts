import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { trainingSet, type StoredFeedbackRecord, type TrainingSet } from '@radflow/feedback';
import { RunFailure, type RetrainingParts, type RetrainingRun } from './retraining-run.ts';

/**
 * Step 1: the feedback up to the run's watermark becomes the data set (scrubbed examples in the paper's format,
 * split by accession hash), written under the run's folder for the trainer. Fails the run when nothing is trainable.
 */
export async function prepareTrainingSet(
  parts: RetrainingParts,
  run: RetrainingRun,
  watermark: number,
  shuffleTargets: boolean,
): Promise<{ set: TrainingSet; datasetDir: string }> {
  const started = Date.now();
  const records = (await parts.feedback.trainable(watermark, run.scope)) as StoredFeedbackRecord[];
  const set = trainingSet(records, {
    split: parts.settings.split,
    ...(shuffleTargets ? { shuffleTargetsSeed: parts.settings.trainer.seed } : {}),
  });
  const datasetDir = join(run.runDir, 'dataset');
  for (const [path, content] of Object.entries(set.snapshot.files)) {
    mkdirSync(dirname(join(datasetDir, path)), { recursive: true });
    writeFileSync(join(datasetDir, path), content);
  }
  run.outcome.dataSnapshot = set.snapshot.hash;
  run.outcome.examples = { train: set.trainExamples, eval: set.heldOut.length };
  run.outcome.seconds.dataset = (Date.now() - started) / 1000;
  await parts.runs.update(run.runId, { dataSnapshot: set.snapshot.hash, examples: { ...set.counts } });
  run.log.info({ dataSnapshot: set.snapshot.hash, ...set.counts }, 'data set written');
  await parts.events.publish({
    kind: 'training.progress',
    name: run.name,
    version: run.current.version,
    runId: run.runId,
    dataSnapshot: set.snapshot.hash,
    progress: { stage: 'dataset', fraction: 1, examples: set.trainExamples },
  });
  if (set.trainExamples === 0)
    throw new RunFailure(
      'NO_TRAINING_DATA',
      `no trainable feedback for ${run.name} (${records.length} records, none usable)`,
    );
  return { set, datasetDir };
}
