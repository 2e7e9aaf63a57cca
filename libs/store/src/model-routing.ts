import type { Database } from './database.ts';
import { servingStack, type DeploymentAction } from './serving-stack.ts';

/**
 * Which versions of one shared model serve now: the routing table the enricher routes each report with
 * (routeModel in libs/enrichment). Radiologist keys are the `<key>` of `<shared>~r-<key>` registry names
 * (radiologistModelName in libs/reports).
 */
export interface ModelRoutingRecord {
  serving?: string;
  canary?: { version: string; share: number };
  radiologists: Record<string, string>;
}

const RADIOLOGIST_SUFFIX = '~r-';
const RADIOLOGIST_KEY = /^[0-9a-f]{16}$/;

/**
 * Reads (never writes) the routing table: the current version of the shared model and of each per-radiologist
 * model (model_deployments, migration 011) and the shared model's canary (model_canaries, migration 016; written
 * by the CLI's promote --canary and the automatic rollback).
 */
export class ModelRouting {
  constructor(private readonly database: Database) {}

  async table(sharedModelName: string): Promise<ModelRoutingRecord> {
    const prefix = `${sharedModelName}${RADIOLOGIST_SUFFIX}`;
    // left(name, n) = prefix, not LIKE: a model name may hold '_' or '%'.
    const [deployments, canaries] = await Promise.all([
      this.database.query<{ name: string; version: string; action: DeploymentAction }>(
        `SELECT name, version, action FROM model_deployments
          WHERE name = $1 OR left(name, $3) = $2 ORDER BY id`,
        [sharedModelName, prefix, prefix.length],
      ),
      this.database.query<{ version: string; share: number }>(
        'SELECT version, share FROM model_canaries WHERE name = $1',
        [sharedModelName],
      ),
    ]);
    const byName = new Map<string, { version: string; action: DeploymentAction }[]>();
    for (const row of deployments.rows) {
      const steps = byName.get(row.name) ?? [];
      steps.push(row);
      byName.set(row.name, steps);
    }
    const table: ModelRoutingRecord = { radiologists: {} };
    for (const [name, steps] of byName) {
      const current = servingStack(steps).at(-1);
      if (current === undefined) continue;
      if (name === sharedModelName) {
        table.serving = current;
        continue;
      }
      const key = name.slice(prefix.length);
      if (RADIOLOGIST_KEY.test(key)) table.radiologists[key] = current;
    }
    const canary = canaries.rows[0];
    if (canary) table.canary = { version: canary.version, share: Number(canary.share) };
    return table;
  }
}
