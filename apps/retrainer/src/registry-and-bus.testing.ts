import { afterAll, beforeAll } from 'vitest';
import type { Logger, RadflowConfig } from '@radflow/config';
import { KafkaBus } from '@radflow/events';
import { migrate, openDatabase, type Database } from '@radflow/store';

/**
 * For the retrainer's integration tests: the real PostgreSQL (migrated) and Kafka bus that infra/up.sh starts,
 * opened before the file's tests and closed after them (libs/store's registryTestDatabase, plus the bus the
 * retrainer's stages publish model events on). Call at the top of a test file; the getters are valid inside tests.
 */
export function registryAndBus(
  config: RadflowConfig,
  logger: Logger,
): { database: () => Database; bus: () => KafkaBus } {
  let database: Database | undefined;
  let bus: KafkaBus | undefined;
  beforeAll(async () => {
    database = openDatabase(config.database.url);
    await migrate(database);
    bus = new KafkaBus(config.kafka, logger);
  });
  afterAll(async () => {
    await bus?.disconnect();
    await database?.end();
  });
  return { database: () => database!, bus: () => bus! };
}
