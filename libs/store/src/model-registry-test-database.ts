import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '@radflow/config';
import { openDatabase, type Database } from './database.ts';
import { migrate } from './migrations.ts';

/**
 * For the registry modules' integration tests: the real PostgreSQL that infra/postgres.sh starts, migrated before
 * the file's tests and closed after them. Call at the top of a test file; the getter is valid inside tests.
 */
export function registryTestDatabase(): () => Database {
  let database: Database | undefined;
  beforeAll(async () => {
    database = openDatabase(loadConfig().database.url);
    await migrate(database);
  });
  afterAll(async () => database?.end());
  return () => database!;
}

/** A model name of this test's own: the registry tables are shared with every other run. */
export function testModelName(): string {
  return `test-model-${randomUUID().slice(0, 8)}`;
}
