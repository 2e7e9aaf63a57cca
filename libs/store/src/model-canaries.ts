import { parseRadiologistModelName } from '@radflow/reports';
import type { Database } from './database.ts';
import { inDeploymentTransaction } from './deployment-lock.ts';
import { ModelRegistryError } from './model-registry-error.ts';
import { selectVersions } from './model-versions.ts';
import { servingVersionIn } from './model-deployments.ts';

/** A version serving a share of a model's reports, chosen by accession hash (table model_canaries, migration 016). */
export interface CanaryRecord {
  name: string;
  version: string;
  /** The share of reports it serves, in (0, 1). */
  share: number;
  startedBy: string;
  reason: string;
  startedAt: string;
}

export interface NewCanary {
  name: string;
  version: string;
  share: number;
  /** Who started it: an operator's name, or `shadow` when a passed shadow period starts it. */
  startedBy: string;
  reason: string;
}

/** How a canary ended: `promote` (it becomes the serving version) or `reject` (rolled back), and why. */
export interface CanaryEnding {
  outcome: 'promote' | 'reject';
  reasons: string[];
  /** The live comparison at the end (evaluation set `canary`), when there was one. */
  comparisons: unknown[];
  /** Who ended it: an operator's name, or `canary` for the automatic rollback. */
  decidedBy: string;
  /** The canary policy at the time, kept beside the decision. */
  policy?: Record<string, unknown>;
}

interface CanaryRow {
  name: string;
  version: string;
  share: number;
  started_by: string;
  reason: string;
  started_at: Date;
}

function canaryFromRow(row: CanaryRow): CanaryRecord {
  return {
    name: row.name,
    version: row.version,
    share: Number(row.share),
    startedBy: row.started_by,
    reason: row.reason,
    startedAt: row.started_at.toISOString(),
  };
}

/**
 * The canary of each model: at most one per name. Starting one checks the version may serve and that a version serves
 * the rest of the reports: the model's own, or for a radiologist's first model (`<shared>~r-<key>`, nothing of theirs
 * deployed yet) the shared model's, which drafts their other reports. Ending one deletes the
 * row and records the decision in gate_decisions (policy.stage `canary`, with the share, who started and ended it
 * and when) in the same transaction, so `radflow model status` shows every canary that ran. Both take the
 * deployments' lock: a canary never starts for a version a concurrent promotion just made serving.
 */
export class ModelCanaries {
  constructor(private readonly database: Database) {}

  async start(canary: NewCanary): Promise<CanaryRecord> {
    const { name, version, share } = canary;
    if (!(share > 0 && share < 1))
      throw new ModelRegistryError(
        `a canary's share lies strictly between 0 and 1, got ${share}`,
        'INVALID_SHARE',
      );
    return inDeploymentTransaction(this.database, async (client) => {
      const [target] = await selectVersions(client, name, [version]);
      if (!target)
        throw new ModelRegistryError(`${name} ${version} is not registered`, 'UNKNOWN_MODEL_VERSION');
      if (target.status === 'rejected')
        throw new ModelRegistryError(`${name} ${version} was rejected and cannot serve`, 'NOT_DEPLOYABLE');
      const serving = await servingVersionIn(client, name);
      // A radiologist's first model runs beside the shared model, which drafts the rest of their reports.
      const shared = parseRadiologistModelName(name)?.sharedModelName;
      if (
        serving === undefined &&
        (shared === undefined || (await servingVersionIn(client, shared)) === undefined)
      )
        throw new ModelRegistryError(
          `no ${name} model serves${shared ? ` and no ${shared} model either` : ''}: a canary needs one beside it`,
          'NO_CURRENT_MODEL',
        );
      if (serving === version)
        throw new ModelRegistryError(`${name} ${version} is already serving`, 'ALREADY_SERVING');
      const result = await client.query<CanaryRow>(
        `INSERT INTO model_canaries (name, version, share, started_by, reason) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name) DO NOTHING RETURNING *`,
        [name, version, share, canary.startedBy, canary.reason],
      );
      const row = result.rows[0];
      if (!row)
        throw new ModelRegistryError(
          `a ${name} canary is running: end it (promote or roll back) before starting another`,
          'CANARY_RUNNING',
        );
      return canaryFromRow(row);
    });
  }

  /** The model's running canary, or undefined. */
  async current(name: string): Promise<CanaryRecord | undefined> {
    const result = await this.database.query<CanaryRow>('SELECT * FROM model_canaries WHERE name = $1', [
      name,
    ]);
    const row = result.rows[0];
    return row ? canaryFromRow(row) : undefined;
  }

  /**
   * Ends the running canary and records the decision against `servingVersion`. Resolves with the canary and the
   * decision's id, or undefined when none was running (another process ended it first): an ending happens once.
   */
  async end(
    name: string,
    servingVersion: string,
    ending: CanaryEnding,
  ): Promise<{ canary: CanaryRecord; decisionId: number } | undefined> {
    return inDeploymentTransaction(this.database, async (client) => {
      const deleted = await client.query<CanaryRow>(
        'DELETE FROM model_canaries WHERE name = $1 RETURNING *',
        [name],
      );
      const row = deleted.rows[0];
      if (!row) return undefined;
      const canary = canaryFromRow(row);
      const policy = {
        ...ending.policy,
        stage: 'canary',
        share: canary.share,
        startedBy: canary.startedBy,
        startReason: canary.reason,
        startedAt: canary.startedAt,
        decidedBy: ending.decidedBy,
      };
      const decision = await client.query<{ id: string }>(
        `INSERT INTO gate_decisions (name, candidate_version, current_version, outcome, reasons, comparisons, policy)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [
          name,
          canary.version,
          servingVersion,
          ending.outcome,
          JSON.stringify(ending.reasons),
          JSON.stringify(ending.comparisons),
          JSON.stringify(policy),
        ],
      );
      return { canary, decisionId: Number(decision.rows[0]!.id) };
    });
  }
}
