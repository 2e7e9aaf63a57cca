import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@radflow/config';
import type { KafkaBus } from '@radflow/events';
import {
  radiologistRetrainingDecision,
  radiologistsWithEnoughFeedback,
  retrainingDecision,
  sha256Hex,
  type FixedEvaluationSet,
  type RetrainingDecision,
} from '@radflow/feedback';
import { radiologistModelName } from '@radflow/reports';
import type { Database, FeedbackScope, ModelVersionRecord } from '@radflow/store';
import { readModelManifest } from './artifact-store.ts';
import { evaluateCandidate } from './candidate-evaluation.ts';
import { trainCandidate } from './candidate-training.ts';
import { recordGateDecision, settleCandidate } from './gate-settlement.ts';
import { loadFixedEvaluationSet } from './model-evaluator.ts';
import type { RetrainerSettings } from './retrainer-settings.ts';
import { sharedVersionForRadiologist } from './radiologist-model.ts';
import { registryModelName, retrainingParts } from './retraining-parts.ts';
import { candidateInShadow } from './shadow/candidate-in-shadow.ts';
import {
  failureOf,
  type RetrainingParts,
  type RetrainingRun,
  type RunOptions,
  type RunOutcome,
} from './retraining-run.ts';
import { prepareTrainingSet } from './training-set-step.ts';

export type { RunOptions, RunOutcome } from './retraining-run.ts';

/** Another run of the same model holds the lock (in this process or another one). */
export class RunInProgressError extends Error {
  readonly code = 'RUN_IN_PROGRESS';
  constructor(name: string) {
    super(`a retraining run of ${name} is already in progress`);
    this.name = 'RunInProgressError';
  }
}

function lockKey(name: string): number {
  return parseInt(sha256Hex(`radflow-retrain:${name}`).slice(0, 8), 16) | 0;
}

/** A radiologist due for a run of their own model, with the pipeline that runs it and the policy's reason. */
export interface RadiologistDue {
  pipeline: RetrainingPipeline;
  decision: RetrainingDecision & { run: true };
}

/**
 * One retraining run, start to finish: feedback -> scrubbed data set -> trainer child process -> candidate in the
 * registry -> both models scored -> gate -> shadow evaluation (model.shadow_started; the shadow stage settles it
 * later), or with no shadow period promotion (model.promoted), or rejection, every step on
 * rad.model.events.v1 and in the logs. Framework-free: the Nest service and the CLI both drive it. The steps are
 * in their own files; this class holds the run lock and the order of the steps.
 *
 * The same pipeline runs one radiologist's model (`forRadiologist`): registry name `<shared>~r-<key>`, trained on the
 * feedback on reports that radiologist signed, on top of the shared model's serving version, and gated and shadowed
 * like any candidate.
 */
export class RetrainingPipeline {
  /** The registry's tables, the feedback, the artifact store and the events the steps use. */
  readonly parts: RetrainingParts;
  private fixedSet: FixedEvaluationSet | undefined;
  private readonly radiologists = new Map<string, RetrainingPipeline>();

  constructor(
    private readonly database: Database,
    private readonly bus: KafkaBus,
    private readonly logger: Logger,
    readonly settings: RetrainerSettings,
    /** For a radiologist's model: their key and the shared model's pipeline, whose parts this one uses. */
    private readonly radiologist?: { key: string; shared: RetrainingPipeline },
  ) {
    this.parts = radiologist?.shared.parts ?? retrainingParts(database, bus, logger, settings);
  }

  /** The shared model's registry name (RETRAIN_MODEL_NAME, else the serving model's manifest name). */
  get sharedModelName(): string {
    return registryModelName(this.settings);
  }

  /** This pipeline's registry name: the shared model's, or `<shared>~r-<key>` for a radiologist's model. */
  get modelName(): string {
    return this.radiologist
      ? radiologistModelName(this.sharedModelName, this.radiologist.key)
      : this.sharedModelName;
  }

  /** The radiologist whose model this pipeline trains (their key, never their id); undefined for the shared model. */
  get radiologistKey(): string | undefined {
    return this.radiologist?.key;
  }

  get scope(): FeedbackScope {
    const scope: FeedbackScope = {
      modelName: this.sharedModelName,
      includeUnattributed: this.settings.includeUnattributed,
    };
    return this.radiologist ? { ...scope, radiologistKey: this.radiologist.key } : scope;
  }

  /** The pipeline of one radiologist's model (same parts, settings and fixed evaluation set). */
  forRadiologist(key: string): RetrainingPipeline {
    if (this.radiologist) return this.radiologist.shared.forRadiologist(key);
    let pipeline = this.radiologists.get(key);
    if (!pipeline) {
      pipeline = new RetrainingPipeline(
        this.database,
        this.bus,
        this.logger.child({ radiologistKey: key }),
        this.settings,
        { key, shared: this },
      );
      this.radiologists.set(key, pipeline);
    }
    return pipeline;
  }

  /**
   * What serves this model's reports now. For the shared model: its serving version; on first use, the base model
   * is copied into the store and recorded as serving. For a radiologist's model: its own serving version once one was
   * promoted; before that the shared model's serving version (registered under the radiologist's name, never
   * deployed there: see sharedVersionForRadiologist), which a first run trains from and must not be worse than.
   */
  async currentModel(): Promise<ModelVersionRecord> {
    if (this.radiologist) {
      const own = await this.parts.deployments.current(this.modelName);
      if (own) return own;
      const shared = await this.radiologist.shared.currentModel();
      return sharedVersionForRadiologist(this.parts, this.modelName, shared);
    }
    const name = this.modelName;
    const current = await this.parts.deployments.current(name);
    if (current) return current;
    const version = readModelManifest(this.settings.baseModelDir).version;
    const modelDir = this.parts.artifacts.put(name, version, this.settings.baseModelDir);
    if (!(await this.parts.versions.get(name, version))) {
      await this.parts.versions.register({
        name,
        version,
        modelDir,
        status: 'registered',
        training: { source: this.settings.baseModelDir },
      });
    }
    await this.parts.deployments.deploy(
      name,
      version,
      'bootstrap',
      'registry started from the serving model',
    );
    this.logger.info({ name, version }, 'model registry bootstrapped from the serving model');
    return (await this.parts.deployments.current(name))!;
  }

  /**
   * The model a run fine-tunes: the shared model's serving version, for a radiologist's model too (their adapter
   * sits on the shared base, never on their previous adapter).
   */
  async baseModel(): Promise<ModelVersionRecord> {
    return this.radiologist ? this.radiologist.shared.currentModel() : this.currentModel();
  }

  /** What the policy says now (used by the service after each feedback and on its timer). */
  async policyDecision(running: boolean): Promise<RetrainingDecision> {
    const name = this.modelName;
    // One candidate at a time: the next run waits for the shadow verdict on this one.
    const shadow = await candidateInShadow(this.parts, name);
    if (shadow && !this.radiologist)
      return { run: false, reason: `${name} ${shadow.candidate.version} is in shadow evaluation` };
    const [watermark, last] = await Promise.all([
      this.parts.runs.decidedWatermark(name),
      this.parts.runs.latest(name),
    ]);
    const newExamples = await this.parts.feedback.countTrainableSince(watermark, this.scope);
    const state = {
      newExamples,
      lastRunStartedAt: last ? new Date(last.startedAt) : null,
      // A run row left 'running' by a process that died does not block: only the advisory lock says a run is live.
      running: running || (last?.status === 'running' && (await this.runInProgress())),
      now: new Date(),
    };
    if (!this.radiologist) return retrainingDecision(this.settings.policy, state);
    return radiologistRetrainingDecision(this.settings.policy, this.settings.radiologistMinFeedback, {
      ...state,
      inShadow: shadow !== undefined,
    });
  }

  /**
   * The radiologists due for a run of their own model now (RETRAIN_RADIOLOGIST_MIN_FEEDBACK new trainable records on
   * reports they signed since their model's last decided run), most feedback first; none when the setting is 0.
   */
  async radiologistsDue(running: boolean): Promise<RadiologistDue[]> {
    if (this.radiologist) return [];
    const min = this.settings.radiologistMinFeedback;
    if (min <= 0) return [];
    // All-time counts first (one query): only radiologists with enough feedback ever can have enough new feedback.
    const counts = await this.parts.feedback.trainableByRadiologist(0, this.scope);
    const due: RadiologistDue[] = [];
    for (const { radiologistKey } of radiologistsWithEnoughFeedback(min, counts)) {
      const pipeline = this.forRadiologist(radiologistKey);
      const decision = await pipeline.policyDecision(running);
      if (decision.run) due.push({ pipeline, decision });
    }
    return due;
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
        await this.parts.runs.failAbandoned(
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
    const shuffleTargets = options.shuffleTargets === true;
    const { run, watermark } = await this.startRun(name, options.trigger, shuffleTargets);
    try {
      const data = await prepareTrainingSet(this.parts, run, watermark, shuffleTargets);
      const candidate = await trainCandidate(this.parts, run, data, shuffleTargets);
      const decision = await evaluateCandidate(this.parts, run, candidate, {
        fixed: () => this.fixedEvaluationSet(),
        heldOut: data.set.heldOut,
      });
      await recordGateDecision(this.parts, run, candidate, decision);
      run.outcome.status = await settleCandidate(this.parts, run, candidate, decision);
      await this.parts.runs.update(run.runId, { status: run.outcome.status });
    } catch (error) {
      await this.failRun(run, error);
    } finally {
      rmSync(join(run.runDir, 'candidate'), { recursive: true, force: true });
    }
    run.outcome.seconds.total = (Date.now() - started) / 1000;
    run.log.info(
      {
        status: run.outcome.status,
        candidateVersion: run.outcome.candidateVersion,
        seconds: run.outcome.seconds,
      },
      'retraining run finished',
    );
    return run.outcome;
  }

  /** Records the run as running from the serving model and the feedback so far, and announces training.started. */
  private async startRun(
    name: string,
    trigger: string,
    shuffleTargets: boolean,
  ): Promise<{ run: RetrainingRun; watermark: number }> {
    const runId = randomUUID();
    const current = await this.currentModel();
    const base = await this.baseModel();
    const watermark = await this.parts.feedback.latestSequence();
    const run: RetrainingRun = {
      runId,
      name,
      scope: this.scope,
      current,
      base,
      runDir: join(this.settings.workDir, 'runs', runId),
      log: this.logger.child({ runId, name }),
      outcome: { runId, name, status: 'failed', baseVersion: current.version, seconds: { total: 0 } },
    };
    await this.parts.runs.start({
      runId,
      name,
      trigger,
      baseVersion: current.version,
      feedbackWatermark: watermark,
    });
    await this.parts.events.publish({
      kind: 'training.started',
      name,
      version: current.version,
      runId,
      baseVersion: current.version,
    });
    run.log.info(
      { trigger, shuffleTargets, watermark, baseVersion: base.version, servingVersion: current.version },
      'retraining run started',
    );
    return { run, watermark };
  }

  /** A step failed: the run's row and training.failed say why (best effort: the failure may be the database). */
  private async failRun(run: RetrainingRun, error: unknown): Promise<void> {
    const failure = failureOf(error);
    run.outcome.status = 'failed';
    run.outcome.error = failure;
    await this.parts.runs.update(run.runId, { status: 'failed', error: failure }).catch(() => undefined);
    await this.parts.events
      .publish({
        kind: 'training.failed',
        name: run.name,
        version: run.outcome.candidateVersion ?? run.current.version,
        runId: run.runId,
        error: failure,
      })
      .catch(() => undefined);
    run.log.error(failure, 'retraining run failed');
  }

  /** The fixed evaluation set, read once per process from the Open-i files (shared by the radiologists' models). */
  private fixedEvaluationSet(): FixedEvaluationSet {
    if (this.radiologist) return this.radiologist.shared.fixedEvaluationSet();
    this.fixedSet ??= loadFixedEvaluationSet(
      this.settings.evaluation.openiDir,
      this.settings.evaluation.fixedSetSize,
    );
    return this.fixedSet;
  }
}
