import type pg from 'pg';
import type { Database } from './database.ts';
import { ModelRegistryError } from './model-registry-error.ts';

/** `shadow`: passed the fixed-set gate, drafting beside the serving model on live reports before it may serve. */
export type ModelVersionStatus = 'registered' | 'candidate' | 'shadow' | 'promoted' | 'rejected';

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

/** The pool, or a client inside a transaction: deployments read and mark versions under their lock. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

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

/** The listed versions of one model that are registered, in no particular order. */
export async function selectVersions(
  db: Queryable,
  name: string,
  versions: readonly string[],
): Promise<ModelVersionRecord[]> {
  const result = await db.query<VersionRow>(
    'SELECT * FROM model_versions WHERE name = $1 AND version = ANY($2)',
    [name, versions],
  );
  return result.rows.map(versionFromRow);
}

/** Sets a version's status (and its gate metrics when given); false when the version is not registered. */
export async function updateVersionStatus(
  db: Queryable,
  name: string,
  version: string,
  status: ModelVersionStatus,
  metrics?: unknown,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE model_versions SET status = $3, metrics = COALESCE($4::jsonb, metrics) WHERE name = $1 AND version = $2`,
    [name, version, status, metrics === undefined ? null : JSON.stringify(metrics)],
  );
  return (result.rowCount ?? 0) > 0;
}

/** Every version radflow made or served, with its lineage (table model_versions, migration 011). */
export class ModelVersions {
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
    return (await selectVersions(this.database, name, [version]))[0];
  }

  /** All versions of a model, oldest first. */
  async list(name: string): Promise<ModelVersionRecord[]> {
    const result = await this.database.query<VersionRow>(
      'SELECT * FROM model_versions WHERE name = $1 ORDER BY created_at, version',
      [name],
    );
    return result.rows.map(versionFromRow);
  }

  /**
   * Moves a version from status `from` to `to` (and sets its metrics when given) only if it still is in `from`:
   * false when it was not, e.g. another process settled the same candidate first.
   */
  async transition(
    name: string,
    version: string,
    from: ModelVersionStatus,
    to: ModelVersionStatus,
    metrics?: unknown,
  ): Promise<boolean> {
    const result = await this.database.query(
      `UPDATE model_versions SET status = $4, metrics = COALESCE($5::jsonb, metrics)
       WHERE name = $1 AND version = $2 AND status = $3`,
      [name, version, from, to, metrics === undefined ? null : JSON.stringify(metrics)],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Sets a version's status, and its gate comparisons when given. */
  async setStatus(
    name: string,
    version: string,
    status: ModelVersionStatus,
    metrics?: unknown,
  ): Promise<void> {
    if (!(await updateVersionStatus(this.database, name, version, status, metrics)))
      throw new ModelRegistryError(`${name} ${version} is not registered`, 'UNKNOWN_MODEL_VERSION');
  }
}
