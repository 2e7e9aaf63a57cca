import type pg from 'pg';
import type { Database } from './database.ts';

export type ModelVersionStatus = 'registered' | 'candidate' | 'promoted' | 'rejected';
export type DeploymentAction = 'bootstrap' | 'promotion' | 'rollback';

/** One model version and its lineage. */
export interface ModelVersionRecord {
  name: string;
  version: string;
  /** Directory in the artifact store (radflow-model.json, ONNX, tokenizer, weights). */
  modelDir: string;
  status: ModelVersionStatus;
  baseName: string | null;
  baseVersion: string | null;
  /** sha256 of the training data snapshot (null for a model radflow did not train). */
  dataSnapshot: string | null;
  /** Run id, steps, loss, seconds, trainer: whatever the run recorded. */
  training: Record<string, unknown>;
  /** The gate's comparisons for this version, once evaluated. */
  metrics: unknown;
  createdAt: string;
}

export interface NewModelVersion {
  name: string;
  version: string;
  modelDir: string;
  status: ModelVersionStatus;
  baseName?: string | null;
  baseVersion?: string | null;
  dataSnapshot?: string | null;
  training?: Record<string, unknown>;
}

export interface DeploymentRecord {
  id: number;
  name: string;
  version: string;
  action: DeploymentAction;
  previousVersion: string | null;
  reason: string;
  deployedAt: string;
}

export interface GateDecisionRecord {
  name: string;
  candidateVersion: string;
  currentVersion: string;
  outcome: 'promote' | 'reject';
  reasons: string[];
  comparisons: unknown[];
  policy: Record<string, unknown>;
  runId?: string | null;
}

export type TrainingRunStatus = 'running' | 'promoted' | 'rejected' | 'failed';

export interface TrainingRunRecord {
  runId: string;
  name: string;
  trigger: string;
  status: TrainingRunStatus;
  baseVersion: string;
  candidateVersion: string | null;
  dataSnapshot: string | null;
  feedbackWatermark: number;
  examples: Record<string, unknown>;
  error: { code: string; reason: string } | null;
  startedAt: string;
  finishedAt: string | null;
}

/** The operator asked for something the registry cannot do; the message says what to do instead. */
export class ModelRegistryError extends Error {
  constructor(
    message: string,
    readonly code:
      | 'UNKNOWN_MODEL_VERSION'
      | 'NO_CURRENT_MODEL'
      | 'NOTHING_TO_ROLL_BACK'
      | 'VERSION_EXISTS'
      | 'NOT_DEPLOYABLE',
  ) {
    super(message);
    this.name = 'ModelRegistryError';
  }
}

/**
 * The versions serving in turn: bootstrap and promotion push, a rollback without a target pops back to the version
 * that served before, a rollback with a target pushes it. The current model is the top.
 */
export function servingStack(
  deployments: readonly Pick<DeploymentRecord, 'version' | 'action' | 'previousVersion'>[],
): string[] {
  const stack: string[] = [];
  for (const d of deployments) {
    if (d.action === 'rollback' && stack.length >= 2 && stack[stack.length - 2] === d.version) stack.pop();
    else stack.push(d.version);
  }
  return stack;
}

interface VersionRow {
  name: string;
  version: string;
  model_dir: string;
  status: ModelVersionStatus;
  base_name: string | null;
  base_version: string | null;
  data_snapshot: string | null;
  training: Record<string, unknown>;
  metrics: unknown;
  created_at: Date;
}

function versionFromRow(row: VersionRow): ModelVersionRecord {
  return {
    name: row.name,
    version: row.version,
    modelDir: row.model_dir,
    status: row.status,
    baseName: row.base_name,
    baseVersion: row.base_version,
    dataSnapshot: row.data_snapshot,
    training: row.training,
    metrics: row.metrics,
    createdAt: row.created_at.toISOString(),
  };
}

interface DeploymentRow {
  id: string;
  name: string;
  version: string;
  action: DeploymentAction;
  previous_version: string | null;
  reason: string;
  deployed_at: Date;
}

function deploymentFromRow(row: DeploymentRow): DeploymentRecord {
  return {
    id: Number(row.id),
    name: row.name,
    version: row.version,
    action: row.action,
    previousVersion: row.previous_version,
    reason: row.reason,
    deployedAt: row.deployed_at.toISOString(),
  };
}

interface RunRow {
  run_id: string;
  name: string;
  trigger: string;
  status: TrainingRunStatus;
  base_version: string;
  candidate_version: string | null;
  data_snapshot: string | null;
  feedback_watermark: string;
  examples: Record<string, unknown>;
  error: { code: string; reason: string } | null;
  started_at: Date;
  finished_at: Date | null;
}

function runFromRow(row: RunRow): TrainingRunRecord {
  return {
    runId: row.run_id,
    name: row.name,
    trigger: row.trigger,
    status: row.status,
    baseVersion: row.base_version,
    candidateVersion: row.candidate_version,
    dataSnapshot: row.data_snapshot,
    feedbackWatermark: Number(row.feedback_watermark),
    examples: row.examples,
    error: row.error,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

// Any fixed number: serialises deployments of one registry (promotion racing a rollback).
const deploymentLock = 72_410_311;

/** Model versions, serving history, gate decisions and training runs in PostgreSQL (migration 011). */
export class ModelRegistry {
  constructor(private readonly database: Database) {}

  async register(version: NewModelVersion): Promise<ModelVersionRecord> {
    try {
      const result = await this.database.query<VersionRow>(
        `INSERT INTO model_versions (name, version, model_dir, status, base_name, base_version, data_snapshot, training)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [
          version.name,
          version.version,
          version.modelDir,
          version.status,
          version.baseName ?? null,
          version.baseVersion ?? null,
          version.dataSnapshot ?? null,
          JSON.stringify(version.training ?? {}),
        ],
      );
      return versionFromRow(result.rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new ModelRegistryError(
          `${version.name} ${version.version} is already registered: choose a new version`,
          'VERSION_EXISTS',
        );
      }
      throw error;
    }
  }

  async get(name: string, version: string): Promise<ModelVersionRecord | undefined> {
    const result = await this.database.query<VersionRow>(
      'SELECT * FROM model_versions WHERE name = $1 AND version = $2',
      [name, version],
    );
    return result.rows[0] ? versionFromRow(result.rows[0]) : undefined;
  }

  async versions(name: string): Promise<ModelVersionRecord[]> {
    const result = await this.database.query<VersionRow>(
      'SELECT * FROM model_versions WHERE name = $1 ORDER BY created_at, version',
      [name],
    );
    return result.rows.map(versionFromRow);
  }

  async setStatus(
    name: string,
    version: string,
    status: ModelVersionStatus,
    metrics?: unknown,
  ): Promise<void> {
    const result = await this.database.query(
      `UPDATE model_versions SET status = $3, metrics = COALESCE($4::jsonb, metrics) WHERE name = $1 AND version = $2`,
      [name, version, status, metrics === undefined ? null : JSON.stringify(metrics)],
    );
    if ((result.rowCount ?? 0) === 0)
      throw new ModelRegistryError(`${name} ${version} is not registered`, 'UNKNOWN_MODEL_VERSION');
  }

  async deployments(name: string): Promise<DeploymentRecord[]> {
    const result = await this.database.query<DeploymentRow>(
      'SELECT * FROM model_deployments WHERE name = $1 ORDER BY id',
      [name],
    );
    return result.rows.map(deploymentFromRow);
  }

  /** The version serving now, or undefined when nothing was ever deployed under this name. */
  async current(name: string): Promise<ModelVersionRecord | undefined> {
    const stack = servingStack(await this.deployments(name));
    const top = stack.at(-1);
    return top === undefined ? undefined : this.get(name, top);
  }

  /** Makes a registered version the serving one (bootstrap or promotion). */
  async deploy(
    name: string,
    version: string,
    action: 'bootstrap' | 'promotion',
    reason: string,
  ): Promise<DeploymentRecord> {
    return this.inDeploymentTransaction(async (client) => {
      const target = await client.query<VersionRow>(
        'SELECT * FROM model_versions WHERE name = $1 AND version = $2',
        [name, version],
      );
      if (!target.rows[0])
        throw new ModelRegistryError(`${name} ${version} is not registered`, 'UNKNOWN_MODEL_VERSION');
      const stack = servingStack(
        (
          await client.query<DeploymentRow>('SELECT * FROM model_deployments WHERE name = $1 ORDER BY id', [
            name,
          ])
        ).rows.map(deploymentFromRow),
      );
      if (target.rows[0].status === 'rejected')
        throw new ModelRegistryError(
          `${name} ${version} was rejected by the gate and cannot be deployed`,
          'NOT_DEPLOYABLE',
        );
      await client.query(`UPDATE model_versions SET status = 'promoted' WHERE name = $1 AND version = $2`, [
        name,
        version,
      ]);
      return this.insertDeployment(client, name, version, action, stack.at(-1) ?? null, reason);
    });
  }

  /**
   * Goes back to the version that served before the current one (or to `toVersion`, which must have served
   * before). Returns the deployment made; the caller announces it so inference reloads.
   */
  async rollback(
    name: string,
    reason: string,
    toVersion?: string,
  ): Promise<{ from: ModelVersionRecord; to: ModelVersionRecord; deployment: DeploymentRecord }> {
    return this.inDeploymentTransaction(async (client) => {
      const history = (
        await client.query<DeploymentRow>('SELECT * FROM model_deployments WHERE name = $1 ORDER BY id', [
          name,
        ])
      ).rows.map(deploymentFromRow);
      const stack = servingStack(history);
      const current = stack.at(-1);
      if (current === undefined)
        throw new ModelRegistryError(
          `no ${name} model has been deployed: nothing to roll back`,
          'NO_CURRENT_MODEL',
        );
      let target: string;
      if (toVersion !== undefined) {
        if (!history.some((d) => d.version === toVersion)) {
          throw new ModelRegistryError(
            `${name} ${toVersion} never served: roll back only to a version that did (see the registry's history)`,
            'NOT_DEPLOYABLE',
          );
        }
        if (toVersion === current)
          throw new ModelRegistryError(`${name} ${toVersion} is already serving`, 'NOTHING_TO_ROLL_BACK');
        target = toVersion;
      } else {
        const previous = stack.at(-2);
        if (previous === undefined)
          throw new ModelRegistryError(
            `${name} ${current} is the first version served: there is no earlier one`,
            'NOTHING_TO_ROLL_BACK',
          );
        target = previous;
      }
      const rows = await client.query<VersionRow>(
        'SELECT * FROM model_versions WHERE name = $1 AND version = ANY($2)',
        [name, [current, target]],
      );
      const from = rows.rows.find((r) => r.version === current);
      const to = rows.rows.find((r) => r.version === target);
      if (!from || !to)
        throw new ModelRegistryError(
          `${name} ${!to ? target : current} is missing from the registry`,
          'UNKNOWN_MODEL_VERSION',
        );
      const deployment = await this.insertDeployment(client, name, target, 'rollback', current, reason);
      return { from: versionFromRow(from), to: versionFromRow(to), deployment };
    });
  }

  private async insertDeployment(
    client: pg.PoolClient,
    name: string,
    version: string,
    action: DeploymentAction,
    previous: string | null,
    reason: string,
  ): Promise<DeploymentRecord> {
    const result = await client.query<DeploymentRow>(
      `INSERT INTO model_deployments (name, version, action, previous_version, reason) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [name, version, action, previous, reason],
    );
    return deploymentFromRow(result.rows[0]!);
  }

  private async inDeploymentTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.database.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [deploymentLock]);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async recordDecision(decision: GateDecisionRecord): Promise<number> {
    const result = await this.database.query<{ id: string }>(
      `INSERT INTO gate_decisions (name, candidate_version, current_version, outcome, reasons, comparisons, policy, run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        decision.name,
        decision.candidateVersion,
        decision.currentVersion,
        decision.outcome,
        JSON.stringify(decision.reasons),
        JSON.stringify(decision.comparisons),
        JSON.stringify(decision.policy),
        decision.runId ?? null,
      ],
    );
    return Number(result.rows[0]!.id);
  }

  async decisions(name: string): Promise<(GateDecisionRecord & { id: number; decidedAt: string })[]> {
    const result = await this.database.query<{
      id: string;
      name: string;
      candidate_version: string;
      current_version: string;
      outcome: 'promote' | 'reject';
      reasons: string[];
      comparisons: unknown[];
      policy: Record<string, unknown>;
      run_id: string | null;
      decided_at: Date;
    }>('SELECT * FROM gate_decisions WHERE name = $1 ORDER BY id', [name]);
    return result.rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      candidateVersion: r.candidate_version,
      currentVersion: r.current_version,
      outcome: r.outcome,
      reasons: r.reasons,
      comparisons: r.comparisons,
      policy: r.policy,
      runId: r.run_id,
      decidedAt: r.decided_at.toISOString(),
    }));
  }

  async startRun(run: {
    runId: string;
    name: string;
    trigger: string;
    baseVersion: string;
    feedbackWatermark: number;
  }): Promise<void> {
    await this.database.query(
      `INSERT INTO training_runs (run_id, name, trigger, status, base_version, feedback_watermark) VALUES ($1, $2, $3, 'running', $4, $5)`,
      [run.runId, run.name, run.trigger, run.baseVersion, run.feedbackWatermark],
    );
  }

  async updateRun(
    runId: string,
    update: Partial<
      Pick<TrainingRunRecord, 'status' | 'candidateVersion' | 'dataSnapshot' | 'examples' | 'error'>
    >,
  ): Promise<void> {
    const finished = update.status !== undefined && update.status !== 'running';
    await this.database.query(
      `UPDATE training_runs SET
         status = COALESCE($2, status),
         candidate_version = COALESCE($3, candidate_version),
         data_snapshot = COALESCE($4, data_snapshot),
         examples = COALESCE($5::jsonb, examples),
         error = COALESCE($6::jsonb, error),
         finished_at = CASE WHEN $7 THEN now() ELSE finished_at END
       WHERE run_id = $1`,
      [
        runId,
        update.status ?? null,
        update.candidateVersion ?? null,
        update.dataSnapshot ?? null,
        update.examples === undefined ? null : JSON.stringify(update.examples),
        update.error === undefined || update.error === null ? null : JSON.stringify(update.error),
        finished,
      ],
    );
  }

  async run(runId: string): Promise<TrainingRunRecord | undefined> {
    const result = await this.database.query<RunRow>('SELECT * FROM training_runs WHERE run_id = $1', [
      runId,
    ]);
    return result.rows[0] ? runFromRow(result.rows[0]) : undefined;
  }

  /** The latest run of a model name (any status), for the policy's watermark and interval. */
  async lastRun(name: string): Promise<TrainingRunRecord | undefined> {
    const result = await this.database.query<RunRow>(
      'SELECT * FROM training_runs WHERE name = $1 ORDER BY started_at DESC LIMIT 1',
      [name],
    );
    return result.rows[0] ? runFromRow(result.rows[0]) : undefined;
  }

  /**
   * The feedback watermark of the latest run that got as far as a gate decision: feedback after it is "new". A
   * failed run does not consume feedback, so the next attempt sees the same records.
   */
  async decidedWatermark(name: string): Promise<number> {
    const result = await this.database.query<{ w: string | null }>(
      `SELECT max(feedback_watermark) AS w FROM training_runs WHERE name = $1 AND status IN ('promoted', 'rejected', 'running')`,
      [name],
    );
    return Number(result.rows[0]?.w ?? 0);
  }

  /** Runs left 'running' by a process that died: marked failed so the policy can start anew. */
  async failAbandonedRuns(name: string, reason: string): Promise<number> {
    const result = await this.database.query(
      `UPDATE training_runs SET status = 'failed', finished_at = now(), error = $2 WHERE name = $1 AND status = 'running'`,
      [name, JSON.stringify({ code: 'RUN_ABANDONED', reason })],
    );
    return result.rowCount ?? 0;
  }
}
