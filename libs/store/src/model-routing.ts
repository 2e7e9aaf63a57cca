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
  /** Radiologist key → the canary of that radiologist's model; present only when one runs. */
  radiologistCanaries?: Record<string, { version: string; share: number }>;
}

const RADIOLOGIST_SUFFIX = '~r-';
const RADIOLOGIST_KEY = /^[0-9a-f]{16}$/;

/**
 * Reads (never writes) the routing table: the current version of the shared model and of each per-radiologist
 * model (model_deployments, migration 011) and the canaries of the shared model and of
 * each radiologist's model (model_canaries, migration 016; written by the CLI's promote --canary, a passed shadow
 * period and the automatic rollback).
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
      this.database.query<{ name: string; version: string; share: number }>(
        'SELECT name, version, share FROM model_canaries WHERE name = $1 OR left(name, $3) = $2',
        [sharedModelName, prefix, prefix.length],
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
    for (const row of canaries.rows) {
      const canary = { version: row.version, share: Number(row.share) };
      if (row.name === sharedModelName) {
        table.canary = canary;
        continue;
      }
      const key = row.name.slice(prefix.length);
      if (RADIOLOGIST_KEY.test(key))
        table.radiologistCanaries = { ...table.radiologistCanaries, [key]: canary };
    }
    return table;
  }
}
