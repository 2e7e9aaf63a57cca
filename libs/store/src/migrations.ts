import { readdirSync, readFileSync } from 'node:fs';
import type { Database } from './database.ts';

const migrationsDir = new URL('../migrations/', import.meta.url);
// Any fixed number: serialises concurrent service starts so migrations run once.
const migrationLock = 72_410_301;

/** Applies libs/store/migrations/*.sql in name order, each once, inside a transaction. */
export async function migrate(database: Database, extraDirs: URL[] = []): Promise<string[]> {
  const client = await database.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLock]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    for (const dir of [migrationsDir, ...extraDirs]) {
      for (const file of readdirSync(dir)
        .filter((name) => name.endsWith('.sql'))
        .sort()) {
        if (done.has(file)) continue;
        await client.query('BEGIN');
        try {
          await client.query(readFileSync(new URL(file, dir), 'utf8'));
          await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
          await client.query('COMMIT');
          applied.push(file);
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
        }
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [migrationLock]).catch(() => undefined);
    client.release();
  }
  return applied;
}
