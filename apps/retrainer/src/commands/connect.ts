import { createLogger, loadConfig, type Logger, type RadflowConfig } from '@radflow/config';
import { KafkaBus } from '@radflow/events';
import { migrate, openDatabase, type Database } from '@radflow/store';
import { retrainerSettings, type RetrainerSettings } from '../retrainer-settings.ts';

export interface CommandOptions {
  config?: RadflowConfig;
  /** Overrides of RETRAIN_* settings (the model name, the registry folder...). */
  settings?: Partial<RetrainerSettings>;
  logger?: Logger;
}

export interface CommandContext {
  config: RadflowConfig;
  settings: RetrainerSettings;
  logger: Logger;
  database: Database;
  bus: KafkaBus;
  close(): Promise<void>;
}

/** The database and broker a one-shot command needs (the CLI's `radflow rollback`, `radflow retrain`). */
export async function connect(options: CommandOptions, processName: string): Promise<CommandContext> {
  const config = options.config ?? loadConfig();
  const settings = { ...retrainerSettings(config), ...options.settings };
  const logger = options.logger ?? createLogger(processName, config.logLevel);
  const database = openDatabase(config.database.url);
  await migrate(database);
  const bus = new KafkaBus(config.kafka, logger.child({ component: 'kafka' }));
  return {
    config,
    settings,
    logger,
    database,
    bus,
    async close() {
      await bus.disconnect();
      await database.end();
    },
  };
}
