import type { Database } from './database.ts';

/** `shadow`: the run's candidate passed the gate and is in shadow; its run ends promoted or rejected after it. */
export type TrainingRunStatus = 'running' | 'shadow' | 'promoted' | 'rejected' | 'failed';

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

export interface NewTrainingRun {
  runId: string;
  name: string;
  trigger: string;
  baseVersion: string;
  /** The last feedback sequence the run reads. */
  feedbackWatermark: number;
}

/** What a run learnt since it started; a status other than `running` finishes it. */
export type TrainingRunUpdate = Partial<
  Pick<TrainingRunRecord, 'status' | 'candidateVersion' | 'dataSnapshot' | 'examples' | 'error'>
>;

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

/** Retraining runs: trigger, data, candidate and how each ended (table training_runs, migration 011). */
export class TrainingRuns {
  constructor(private readonly database: Database) {}

  /** Records a run as `running`. */
  async start(run: NewTrainingRun): Promise<void> {
    await this.database.query(
      `INSERT INTO training_runs (run_id, name, trigger, status, base_version, feedback_watermark) VALUES ($1, $2, $3, 'running', $4, $5)`,
      [run.runId, run.name, run.trigger, run.baseVersion, run.feedbackWatermark],
    );
  }

  /** Sets what the update names and keeps the rest. */
  async update(runId: string, update: TrainingRunUpdate): Promise<void> {
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

  async get(runId: string): Promise<TrainingRunRecord | undefined> {
    const result = await this.database.query<RunRow>('SELECT * FROM training_runs WHERE run_id = $1', [
      runId,
    ]);
    return result.rows[0] ? runFromRow(result.rows[0]) : undefined;
  }

  /** The latest run of a model name (any status), for the policy's watermark and interval. */
  async latest(name: string): Promise<TrainingRunRecord | undefined> {
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
      `SELECT max(feedback_watermark) AS w FROM training_runs WHERE name = $1 AND status IN ('promoted', 'rejected', 'shadow', 'running')`,
      [name],
    );
    return Number(result.rows[0]?.w ?? 0);
  }

  /** Runs left 'running' by a process that died: marked failed so the policy can start anew. */
  async failAbandoned(name: string, reason: string): Promise<number> {
    const result = await this.database.query(
      `UPDATE training_runs SET status = 'failed', finished_at = now(), error = $2 WHERE name = $1 AND status = 'running'`,
      [name, JSON.stringify({ code: 'RUN_ABANDONED', reason })],
    );
    return result.rowCount ?? 0;
  }
}
