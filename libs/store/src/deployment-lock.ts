import type pg from 'pg';
import type { Database } from './database.ts';

// Any fixed number: serialises deployments of one registry (promotion racing a rollback or a canary's end).
const deploymentLock = 72_410_311;

/**
 * Runs work in one transaction holding the registry's deployment lock: every change of what serves (promotion,
 * rollback, a canary's start or end) goes through here, so two of them never interleave.
 */
export async function inDeploymentTransaction<T>(
  database: Database,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await database.connect();
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
