import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { candidateVersion, type TrainingSet } from '@radflow/feedback';
import type { Candidate, RetrainingParts, RetrainingRun } from './retraining-run.ts';
import { runTrainer, type TrainerProgress } from './trainer-process.ts';
import { publishesTrainingProgress } from './training-progress.ts';

/**
 * Step 2: the trainer child process fine-tunes the serving model on the data set; the candidate goes into the
 * artifact store and the registry (status candidate, with its lineage) and training.completed is published.
 */
export async function trainCandidate(
  parts: RetrainingParts,
  run: RetrainingRun,
  data: { set: TrainingSet; datasetDir: string },
  shuffledTargets: boolean,
): Promise<Candidate> {
  const { name, runId, current } = run;
  const version = candidateVersion(current.version, new Date(), runId);
  const dataSnapshot = data.set.snapshot.hash;
  run.outcome.candidateVersion = version;
  const started = Date.now();
  const result = await runTrainer(
    {
      ...parts.settings.trainer,
      baseDir: current.modelDir,
      datasetDir: data.datasetDir,
      outDir: join(run.runDir, 'candidate'),
      name,
      version,
      dataSnapshot,
    },
    progressPublisher(parts, run, version),
  );
  run.outcome.seconds.training = (Date.now() - started) / 1000;
  const training = {
    runId,
    steps: result.steps,
    finalLoss: result.finalLoss,
    seconds: result.seconds,
    trainer: 'apps/retrainer/trainer/finetune.py',
    shuffledTargets,
  };
  const modelDir = parts.artifacts.put(name, version, result.modelDir);
  rmSync(result.modelDir, { recursive: true, force: true });
  run.outcome.candidateDir = modelDir;
  await parts.versions.register({
    name,
    version,
    modelDir,
    status: 'candidate',
    baseName: name,
    baseVersion: current.version,
    dataSnapshot,
    training,
  });
  await parts.runs.update(runId, { candidateVersion: version });
  await parts.events.publish({
    kind: 'training.completed',
    name,
    version,
    runId,
    modelDir,
    baseVersion: current.version,
    dataSnapshot,
  });
  return { version, modelDir, dataSnapshot };
}

/** training.progress for the trainer's lines worth publishing; a lost progress event never stops the run. */
function progressPublisher(
  parts: RetrainingParts,
  run: RetrainingRun,
  version: string,
): (progress: TrainerProgress) => void {
  let lastPublished = 0;
  return (progress) => {
    const now = Date.now();
    if (!publishesTrainingProgress(progress, now - lastPublished)) return;
    lastPublished = now;
    void parts.events
      .publish({
        kind: 'training.progress',
        name: run.name,
        version,
        runId: run.runId,
        baseVersion: run.current.version,
        progress: {
          stage: progress.stage,
          fraction: progress.totalSteps ? progress.step / progress.totalSteps : 0,
          step: progress.step,
          totalSteps: progress.totalSteps,
          ...(progress.loss !== undefined ? { loss: progress.loss } : {}),
        },
      })
      .catch((error: Error) => run.log.warn({ code: error.name }, 'progress event not published'));
  };
}
