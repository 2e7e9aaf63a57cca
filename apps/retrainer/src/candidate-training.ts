import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { candidateVersion, type TrainingSet } from '@radflow/feedback';
import type { FeedbackScope } from '@radflow/store';
import type { Candidate, RetrainingParts, RetrainingRun } from './retraining-run.ts';
import type { ArtifactStore } from './artifact-store.ts';
import { runTrainer, type TrainerProgress, type TrainerResult } from './trainer-process.ts';
import { publishesTrainingProgress } from './training-progress.ts';

/** The share of the feedback held out to choose the passes: a radiologist's run has its own setting. */
export function epochChoicePercentOf(
  percent: RetrainingParts['settings']['trainer']['epochChoicePercent'],
  scope: FeedbackScope,
): number {
  return scope.radiologistKey === undefined ? percent.shared : percent.radiologist;
}

/**
 * Step 2: the trainer child process trains an adapter on the run's base (the feedback and a replay sample of the
 * base's training data); the adapter and its manifest go into the artifact store with the merged model directory
 * beside them, the candidate into the registry (status candidate, modelDir the merged directory, the adapter's facts
 * in `training.adapter`), and training.completed is published.
 */
export async function trainCandidate(
  parts: RetrainingParts,
  run: RetrainingRun,
  data: { set: TrainingSet; datasetDir: string },
  shuffledTargets: boolean,
): Promise<Candidate> {
  const { name, runId, current, base } = run;
  const version = candidateVersion(current.version, new Date(), runId);
  const dataSnapshot = data.set.snapshot.hash;
  run.outcome.candidateVersion = version;
  const started = Date.now();
  const { epochChoicePercent, ...trainer } = parts.settings.trainer;
  const result = await runTrainer(
    {
      ...trainer,
      epochChoicePercent: epochChoicePercentOf(epochChoicePercent, run.scope),
      // The adapter sits on the run's base (the shared model's serving version, for a radiologist's model too).
      baseDir: base.modelDir,
      datasetDir: data.datasetDir,
      outDir: join(run.runDir, 'candidate'),
      name,
      version,
      dataSnapshot,
      replayOpeniDir: parts.settings.evaluation.openiDir,
    },
    progressPublisher(parts, run, version),
  );
  run.outcome.seconds.training = (Date.now() - started) / 1000;
  const training = {
    runId,
    steps: result.steps,
    finalLoss: result.finalLoss,
    ...(Object.keys(result.epochChoice).length > 0 ? { epochChoice: result.epochChoice } : {}),
    seconds: result.seconds,
    trainer: 'apps/retrainer/trainer/finetune.py',
    shuffledTargets,
  };
  const { modelDir, adapter } = storeCandidate(parts.artifacts, name, version, result, base);
  run.outcome.candidateDir = modelDir;
  await parts.versions.register({
    name,
    version,
    modelDir,
    status: 'candidate',
    // Lineage names the model the adapter sits on: the shared model's serving version for a radiologist's model.
    baseName: base.name,
    baseVersion: base.version,
    dataSnapshot,
    training: adapter ? { ...training, mode: 'adapter', adapter } : { ...training, mode: 'full' },
  });
  await parts.runs.update(runId, { candidateVersion: version });
  await parts.events.publish({
    kind: 'training.completed',
    name,
    version,
    runId,
    modelDir,
    baseVersion: base.version,
    dataSnapshot,
  });
  return { version, modelDir, dataSnapshot };
}

/**
 * The trainer's output into the artifact store: an adapter version (adapter, manifest, merged cache) or, after a full
 * fine-tune, the model directory. The adapter's facts are what the registry's `training.adapter` records.
 */
export function storeCandidate(
  artifacts: ArtifactStore,
  name: string,
  version: string,
  result: TrainerResult,
  base?: { name: string; version: string },
): { modelDir: string; adapter?: Record<string, unknown> } {
  if (!result.adapter) {
    const modelDir = artifacts.put(name, version, result.modelDir);
    rmSync(result.modelDir, { recursive: true, force: true });
    return { modelDir };
  }
  const stored = artifacts.putAdapter(name, version, {
    adapterDir: result.adapter.dir,
    manifestPath: result.adapter.manifestPath,
    mergedDir: result.modelDir,
  });
  for (const path of [result.adapter.dir, result.adapter.manifestPath, result.modelDir])
    rmSync(path, { recursive: true, force: true });
  const { lora, replay } = result.adapter;
  return {
    modelDir: stored.modelDir,
    adapter: {
      path: join(stored.adapterDir, 'adapter.pt'),
      manifest: stored.manifestPath,
      sha256: result.adapter.sha256,
      bytes: result.adapter.bytes,
      ...(base ? { baseName: base.name, baseVersion: base.version } : {}),
      baseOnnxSha256: result.adapter.baseOnnxSha256,
      rank: lora.rank,
      alpha: lora.alpha,
      targets: lora.targets,
      parameters: lora.parameters,
      feedbackExamples: result.adapter.feedbackCount,
      replay,
      merged: { modelDir: stored.modelDir, derived: true },
    },
  };
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
