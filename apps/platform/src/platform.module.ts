import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger, useLogHashKey, type Logger, type RadflowConfig } from '@radflow/config';
import { KafkaBus } from '@radflow/events';
import { openDatabase, type Database } from '@radflow/store';
import { CONFIG, DATABASE, KAFKA_BUS, LOGGER } from './tokens.ts';

/** Process-wide resources every app shares: one Kafka producer, one database pool, one logger. */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(
    @Inject(KAFKA_BUS) private readonly bus: KafkaBus,
    @Inject(DATABASE) private readonly database: Database,
  ) {}

  static forRoot(config: RadflowConfig, processName = 'radflow'): DynamicModule {
    // The host's configuration, not the process environment, decides the key of every logHash in this process.
    useLogHashKey(config.logHash);
    const logger = createLogger(processName, config.logLevel);
    return {
      module: PlatformModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: KAFKA_BUS,
          useFactory: () => new KafkaBus(config.kafka, logger.child({ component: 'kafka' })),
        },
        { provide: DATABASE, useFactory: () => openDatabase(config.database.url) },
      ],
      exports: [CONFIG, LOGGER, KAFKA_BUS, DATABASE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.disconnect();
    await this.database.end();
  }
}

export type { Logger };
