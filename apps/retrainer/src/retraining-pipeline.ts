import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '@radflow/config';
import type { KafkaBus } from '@radflow/events';
import {
  datasetSnapshot,
  evaluationGate,
  retrainingDecision,
  sha256Hex,
  shuffleTargets,
  trainingExamples,
  type FixedEvaluationSet,
  type GateDecision,
  type RetrainingDecision,
  type StoredFeedbackRecord,
} from '@radflow/feedback';
import {
  FeedbackStore,
  ModelRegistry,
  type Database,
  type FeedbackScope,
  type ModelVersionRecord,
} from '@radflow/store';
import { ArtifactStore, readModelManifest } from './artifact-store.ts';
import { renderDecisionReport } from './decision-report.ts';
import { ModelEvents } from './model-events.ts';
import { evaluationSets, loadFixedEvaluationSet, modelOutputs } from './model-evaluator.ts';
import type { RetrainerSettings } from './retrainer-settings.ts';
import { runTrainer, TrainerFailedError } from './trainer-process.ts';

export interface RunOptions {
  trigger: string;
  /** Train on answers permuted across examples: a control that the gate must reject. */
  shuffleTargets?: boolean;
}

export interface RunOutcome {
  runId: string;
  name: string;
  status: 'promoted' | 'rejected' | 'failed';
  baseVersion: string;
  candidateVersion?: string;
  candidateDir?: string;
  dataSnapshot?: string;
  decision?: GateDecision;
  error?: { code: string; reason: string };
  examples?: { train: number; eval: number };
  seconds: { total: number; dataset?: number; training?: number; evaluation?: number };
  reportPath?: string;
}

/** Another run of the same model holds the lock (in this process or another one). */
export class RunInProgressError extends Error {
  readonly code = 'RUN_IN_PROGRESS';
  constructor(name: string) {
    super(`a retraining run of ${name} is already in progress`);
    this.name = 'RunInProgressError';
  }
}

class RunFailure extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function lockKey(name: string): number {
  return parseInt(sha256Hex(`radflow-retrain:${name}`).slice(0, 8), 16) | 0;
}

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * One retraining run, start to finish: feedback -> scrubbed data set -> trainer child process -> candidate in the
 * registry -> both models scored -> gate -> promotion (model.promoted) or rejection, every step on
 * rad.model.events.v1 and in the logs. Framework-free: the Nest service and the CLI both drive it.
 */
export class RetrainingPipeline {
  readonly feedback: FeedbackStore;
  readonly registry: ModelRegistry;
  readonly artifacts: ArtifactStore;
  readonly events: ModelEvents;
  private fixedSet: FixedEvaluationSet | undefined;

  constructor(
    private readonly database: Database,
    bus: KafkaBus,
    private readonly logger: Logger,
    readonly settings: RetrainerSettings,
  ) {
    this.feedback = new FeedbackStore(database);
    this.registry = new ModelRegistry(database);
    this.artifacts = new ArtifactStore(settings.registryDir);
    this.events = new ModelEvents(bus, logger);
  }

  get modelName(): string {
    return this.settings.modelName ?? readModelManifest(this.settings.baseModelDir).name;
  }

  get scope(): FeedbackScope {
    return { modelName: this.modelName, includeUnattributed: this.settings.includeUnattributed };
  }

  /** The serving version; on first use, the base model is copied into the store and recorded as serving. */
  async currentModel(): Promise<ModelVersionRecord> {
    const name = this.modelName;
    const current = await this.registry.current(name);
    if (current) return current;
    const version = readModelManifest(this.settings.baseModelDir).version;
    const modelDir = this.artifacts.put(name, version, this.settings.baseModelDir);
    if (!(await this.registry.get(name, version))) {
      await this.registry.register({
        name,
        version,
        modelDir,
        status: 'registered',
        training: { source: this.settings.baseModelDir },
      });
    }
    await this.registry.deploy(name, version, 'bootstrap', 'registry started from the serving model');
    this.logger.info({ name, version }, 'model registry bootstrapped from the serving model');
    return (await this.registry.current(name))!;
  }

  /** What the policy says now (used by the service after each feedback and on its timer). */
  async policyDecision(running: boolean): Promise<RetrainingDecision> {
    const name = this.modelName;
    const [watermark, last] = await Promise.all([
      this.registry.decidedWatermark(name),
      this.registry.lastRun(name),
    ]);
    const newExamples = await this.feedback.countTrainableSince(watermark, this.scope);
    return retrainingDecision(this.settings.policy, {
      newExamples,
      lastRunStartedAt: last ? new Date(last.startedAt) : null,
      // A run row left 'running' by a process that died does not block: only the advisory lock says a run is live.
      running: running || (last?.status === 'running' && (await this.runInProgress())),
      now: new Date(),
    });
  }

  /** Whether any process holds this model's run lock now. */
  async runInProgress(): Promise<boolean> {
    const client = await this.database.connect();
    try {
      const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
        lockKey(this.modelName),
      ]);
      if (locked.rows[0]?.ok) await client.query('SELECT pg_advisory_unlock($1)', [lockKey(this.modelName)]);
      return !locked.rows[0]?.ok;
    } finally {
      client.release();
    }
  }

  /** Runs once; throws RunInProgressError when another run of this model holds the lock. */
  async run(options: RunOptions): Promise<RunOutcome> {
    const name = this.modelName;
    const client = await this.database.connect();
    try {
      const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
        lockKey(name),
      ]);
      if (!locked.rows[0]?.ok) throw new RunInProgressError(name);
      try {
        await this.registry.failAbandonedRuns(
          name,
          'found running at the start of a new run (its process ended)',
        );
        return await this.runLocked(name, options);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [lockKey(name)]).catch(() => undefined);
      }
    } finally {
      client.release();
    }
  }

  private async runLocked(name: string, options: RunOptions): Promise<RunOutcome> {
    const started = Date.now();
    const runId = randomUUID();
    const current = await this.currentModel();
    const watermark = await this.feedback.latestSequence();
    const runDir = join(this.settings.workDir, 'runs', runId);
    const outcome: RunOutcome = {
      runId,
      name,
      status: 'failed',
      baseVersion: current.version,
      seconds: { total: 0 },
    };
    const log = this.logger.child({ runId, name });
    await this.registry.startRun({
      runId,
      name,
      trigger: options.trigger,
      baseVersion: current.version,
      feedbackWatermark: watermark,
    });
    await this.events.publish({
      kind: 'training.started',
      name,
      version: current.version,
      runId,
      baseVersion: current.version,
    });
    log.info(
      { trigger: options.trigger, shuffleTargets: options.shuffleTargets === true, watermark },
      'retraining run started',
    );
    try {
      // 1. Data set: scrubbed examples in the paper's format, split by accession hash.
      const datasetStarted = Date.now();
      const records = (await this.feedback.trainable(watermark, this.scope)) as StoredFeedbackRecord[];
      const built = trainingExamples(records, { split: this.settings.split });
      const examples = options.shuffleTargets
        ? shuffleTargets(built.examples, this.settings.trainer.seed)
        : built.examples;
      const snapshot = datasetSnapshot(examples);
      const datasetDir = join(runDir, 'dataset');
      for (const [path, content] of Object.entries(snapshot.files)) {
        mkdirSync(dirname(join(datasetDir, path)), { recursive: true });
        writeFileSync(join(datasetDir, path), content);
      }
      const train = examples.filter((e) => e.split === 'train').length;
      const held = examples.filter((e) => e.split === 'eval');
      outcome.dataSnapshot = snapshot.hash;
      outcome.examples = { train, eval: held.length };
      outcome.seconds.dataset = (Date.now() - datasetStarted) / 1000;
      const counts = {
        records: records.length,
        train: snapshot.counts.train,
        eval: snapshot.counts.eval,
        skipped: built.skipped,
        scrubbed: built.scrubbed,
      };
      await this.registry.updateRun(runId, { dataSnapshot: snapshot.hash, examples: counts });
      log.info({ dataSnapshot: snapshot.hash, ...counts }, 'data set written');
      await this.events.publish({
        kind: 'training.progress',
        name,
        version: current.version,
        runId,
        dataSnapshot: snapshot.hash,
        progress: { stage: 'dataset', fraction: 1, examples: train },
      });
      if (train === 0)
        throw new RunFailure(
          'NO_TRAINING_DATA',
          `no trainable feedback for ${name} (${records.length} records, none usable)`,
        );

      // 2. Trainer child process.
      const candidateVersion = `${current.version.split('-ft.')[0]}-ft.${stamp(new Date())}.${runId.slice(0, 8)}`;
      outcome.candidateVersion = candidateVersion;
      const trainingStarted = Date.now();
      let lastPublished = 0;
      const result = await runTrainer(
        {
          ...this.settings.trainer,
          baseDir: current.modelDir,
          datasetDir,
          outDir: join(runDir, 'candidate'),
          name,
          version: candidateVersion,
          dataSnapshot: snapshot.hash,
        },
        (progress) => {
          const every = Math.max(1, Math.floor(progress.totalSteps / 10));
          const now = Date.now();
          if (
            progress.stage === 'training' &&
            progress.step % every !== 0 &&
            progress.step !== progress.totalSteps &&
            now - lastPublished < 5000
          )
            return;
          lastPublished = now;
          void this.events
            .publish({
              kind: 'training.progress',
              name,
              version: candidateVersion,
              runId,
              baseVersion: current.version,
              progress: {
                stage: progress.stage,
                fraction: progress.totalSteps ? progress.step / progress.totalSteps : 0,
                step: progress.step,
                totalSteps: progress.totalSteps,
                ...(progress.loss !== undefined ? { loss: progress.loss } : {}),
              },
            })
            .catch((error: Error) => log.warn({ code: error.name }, 'progress event not published'));
        },
      );
      outcome.seconds.training = (Date.now() - trainingStarted) / 1000;
      const training = {
        runId,
        steps: result.steps,
        finalLoss: result.finalLoss,
        seconds: result.seconds,
        trainer: 'apps/retrainer/trainer/finetune.py',
        shuffledTargets: options.shuffleTargets === true,
      };
      const candidateDir = this.artifacts.put(name, candidateVersion, result.modelDir);
      rmSync(result.modelDir, { recursive: true, force: true });
      outcome.candidateDir = candidateDir;
      await this.registry.register({
        name,
        version: candidateVersion,
        modelDir: candidateDir,
        status: 'candidate',
        baseName: name,
        baseVersion: current.version,
        dataSnapshot: snapshot.hash,
        training,
      });
      await this.registry.updateRun(runId, { candidateVersion });
      await this.events.publish({
        kind: 'training.completed',
        name,
        version: candidateVersion,
        runId,
        modelDir: candidateDir,
        baseVersion: current.version,
        dataSnapshot: snapshot.hash,
      });

      // 3. Both models on the fixed set and the held-out feedback, then the gate.
      const evaluationStarted = Date.now();
      this.fixedSet ??= loadFixedEvaluationSet(
        this.settings.evaluation.openiDir,
        this.settings.evaluation.fixedSetSize,
      );
      const inputs = {
        fixed: this.fixedSet,
        feedback: held.slice(0, this.settings.evaluation.feedbackSetSize),
      };
      const progress = (model: number) => (done: number, total: number) => {
        const fraction = (model + done / total) / 2;
        log.info({ stage: 'evaluation', done: model * total + done, total: 2 * total }, 'evaluating');
        void this.events
          .publish({
            kind: 'training.progress',
            name,
            version: candidateVersion,
            runId,
            progress: { stage: 'evaluation', fraction },
          })
          .catch(() => undefined);
      };
      const evaluation = {
        maxNewTokens: this.settings.evaluation.maxNewTokens,
        threads: this.settings.evaluation.threads,
      };
      const candidateOutputs = await modelOutputs(candidateDir, inputs, {
        ...evaluation,
        onDone: progress(0),
      });
      const currentOutputs = await modelOutputs(current.modelDir, inputs, {
        ...evaluation,
        onDone: progress(1),
      });
      const decision = evaluationGate(
        evaluationSets(inputs, candidateOutputs, currentOutputs),
        this.settings.gate,
      );
      outcome.decision = decision;
      outcome.seconds.evaluation = (Date.now() - evaluationStarted) / 1000;

      // 4. Record the decision with its numbers; promote or keep the current model.
      await this.registry.recordDecision({
        name,
        candidateVersion,
        currentVersion: current.version,
        outcome: decision.outcome,
        reasons: decision.reasons,
        comparisons: decision.comparisons,
        policy: { ...this.settings.gate },
        runId,
      });
      const report = renderDecisionReport(`${name} ${candidateVersion} vs ${current.version}`, decision);
      writeFileSync(join(candidateDir, 'evaluation.html'), report);
      writeFileSync(
        join(candidateDir, 'evaluation.json'),
        `${JSON.stringify({ runId, currentVersion: current.version, ...decision }, null, 2)}\n`,
      );
      outcome.reportPath = join(candidateDir, 'evaluation.html');
      const decisionEvent = {
        outcome: decision.outcome,
        reasons: decision.reasons,
        comparisons: decision.comparisons,
      };
      await this.events.publish({
        kind: 'model.evaluated',
        name,
        version: candidateVersion,
        runId,
        previousVersion: current.version,
        decision: decisionEvent,
      });
      if (decision.outcome === 'promote') {
        await this.registry.setStatus(name, candidateVersion, 'candidate', decision.comparisons);
        await this.registry.deploy(name, candidateVersion, 'promotion', decision.reasons[0] ?? 'gate passed');
        await this.events.publish({
          kind: 'model.promoted',
          name,
          version: candidateVersion,
          modelDir: candidateDir,
          action: 'promotion',
          runId,
          previousVersion: current.version,
          baseVersion: current.version,
          dataSnapshot: snapshot.hash,
        });
        outcome.status = 'promoted';
      } else {
        await this.registry.setStatus(name, candidateVersion, 'rejected', decision.comparisons);
        await this.events.publish({
          kind: 'model.rejected',
          name,
          version: candidateVersion,
          runId,
          previousVersion: current.version,
          decision: decisionEvent,
        });
        outcome.status = 'rejected';
      }
      await this.registry.updateRun(runId, { status: outcome.status });
    } catch (error) {
      const failure =
        error instanceof RunFailure || error instanceof TrainerFailedError
          ? { code: error.code, reason: error.reason }
          : {
              code: (error as { code?: string }).code ?? (error as Error).name ?? 'UNKNOWN',
              reason: (error as Error).message ?? String(error),
            };
      outcome.status = 'failed';
      outcome.error = failure;
      await this.registry.updateRun(runId, { status: 'failed', error: failure }).catch(() => undefined);
      await this.events
        .publish({
          kind: 'training.failed',
          name,
          version: outcome.candidateVersion ?? current.version,
          runId,
          error: failure,
        })
        .catch(() => undefined);
      log.error(failure, 'retraining run failed');
    } finally {
      rmSync(join(runDir, 'candidate'), { recursive: true, force: true });
    }
    outcome.seconds.total = (Date.now() - started) / 1000;
    log.info(
      { status: outcome.status, candidateVersion: outcome.candidateVersion, seconds: outcome.seconds },
      'retraining run finished',
    );
    return outcome;
  }
}
