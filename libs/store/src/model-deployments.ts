import type pg from 'pg';
import type { Database } from './database.ts';
import { inDeploymentTransaction } from './deployment-lock.ts';
import { ModelRegistryError } from './model-registry-error.ts';
import {
  selectVersions,
  updateVersionStatus,
  type ModelVersionRecord,
  type Queryable,
} from './model-versions.ts';
import { rollbackTarget, servingStack, type DeploymentAction } from './serving-stack.ts';

export interface DeploymentRecord {
  id: number;
  name: string;
  version: string;
  action: DeploymentAction;
  previousVersion: string | null;
  reason: string;
  deployedAt: string;
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

async function deploymentHistory(db: Queryable, name: string): Promise<DeploymentRecord[]> {
  const result = await db.query<DeploymentRow>(
    'SELECT * FROM model_deployments WHERE name = $1 ORDER BY id',
    [name],
  );
  return result.rows.map(deploymentFromRow);
}

/** The version serving now (the top of the serving stack), read on `db`: inside a transaction, its client. */
export async function servingVersionIn(db: Queryable, name: string): Promise<string | undefined> {
  return servingStack(await deploymentHistory(db, name)).at(-1);
}

/**
 * Which version serves: the serving history (table model_deployments, migration 011), promotion and rollback.
 * Deployments take one lock, so a promotion racing a rollback sees the other's result.
 */
export class ModelDeployments {
  constructor(private readonly database: Database) {}

  /** Every bootstrap, promotion and rollback of a model, oldest first. */
  history(name: string): Promise<DeploymentRecord[]> {
    return deploymentHistory(this.database, name);
  }

  /** The version serving now, or undefined when nothing was ever deployed under this name. */
  async current(name: string): Promise<ModelVersionRecord | undefined> {
    const top = await servingVersionIn(this.database, name);
    return top === undefined ? undefined : (await selectVersions(this.database, name, [top]))[0];
  }

  /** Makes a registered version the serving one (bootstrap or promotion). */
  async deploy(
    name: string,
    version: string,
    action: 'bootstrap' | 'promotion',
    reason: string,
  ): Promise<DeploymentRecord> {
    return inDeploymentTransaction(this.database, async (client) => {
      const [target] = await selectVersions(client, name, [version]);
      if (!target)
        throw new ModelRegistryError(`${name} ${version} is not registered`, 'UNKNOWN_MODEL_VERSION');
      const stack = servingStack(await deploymentHistory(client, name));
      if (target.status === 'rejected')
        throw new ModelRegistryError(
          `${name} ${version} was rejected by the gate and cannot be deployed`,
          'NOT_DEPLOYABLE',
        );
      await updateVersionStatus(client, name, version, 'promoted');
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
    return inDeploymentTransaction(this.database, async (client) => {
      const { current, target } = rollbackTarget(name, await deploymentHistory(client, name), toVersion);
      const versions = await selectVersions(client, name, [current, target]);
      const from = versions.find((v) => v.version === current);
      const to = versions.find((v) => v.version === target);
      if (!from || !to)
        throw new ModelRegistryError(
          `${name} ${!to ? target : current} is missing from the registry`,
          'UNKNOWN_MODEL_VERSION',
        );
      const deployment = await this.insertDeployment(client, name, target, 'rollback', current, reason);
      return { from, to, deployment };
    });
  }

  /**
   * Retires a model: nothing of this name serves afterwards (for a radiologist's model, their reports go back to the
   * shared model). The version stays registered and can be promoted again.
   */
  async retire(
    name: string,
    reason: string,
  ): Promise<{ from: ModelVersionRecord; deployment: DeploymentRecord }> {
    return inDeploymentTransaction(this.database, async (client) => {
      const current = await servingVersionIn(client, name);
      if (current === undefined)
        throw new ModelRegistryError(`no ${name} model serves: nothing to retire`, 'NO_CURRENT_MODEL');
      const [from] = await selectVersions(client, name, [current]);
      if (!from)
        throw new ModelRegistryError(
          `${name} ${current} is missing from the registry`,
          'UNKNOWN_MODEL_VERSION',
        );
      const deployment = await this.insertDeployment(client, name, current, 'retirement', current, reason);
      return { from, deployment };
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
}
