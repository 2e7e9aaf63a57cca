import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger, useLogHashKey, type Logger, type RadflowConfig } from '@radflow/config';
import { KafkaBus, silentBusObserver, type BusObserver } from '@radflow/events';
import { openDatabase, type Database } from '@radflow/store';
import { API_AUTH, createApiAuth } from './auth/api-auth.ts';
import { MetricsController } from './metrics/metrics.controller.ts';
import { PlatformMetrics } from './metrics/platform-metrics.ts';
import { CONFIG, DATABASE, KAFKA_BUS, LOGGER, METRICS } from './tokens.ts';

/** What a host hands the platform besides the configuration; each part has a default for a bare module. */
export interface PlatformParts {
  logger?: Logger;
  metrics?: PlatformMetrics;
  busObserver?: BusObserver;
}

/**
 * Process-wide resources every app shares: one Kafka producer, one database pool, one logger, one metrics registry
 * (served at GET /metrics).
 */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(
    @Inject(KAFKA_BUS) private readonly bus: KafkaBus,
    @Inject(DATABASE) private readonly database: Database,
  ) {}

  static forRoot(config: RadflowConfig, processName = 'radflow', parts: PlatformParts = {}): DynamicModule {
    // The host's configuration, not the process environment, decides the key of every logHash in this process.
    useLogHashKey(config.logHash);
    const logger = parts.logger ?? createLogger(processName, config.logLevel);
    const observer = parts.busObserver ?? silentBusObserver;
    return {
      module: PlatformModule,
      controllers: [MetricsController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS, useValue: parts.metrics ?? new PlatformMetrics([]) },
        {
          provide: KAFKA_BUS,
          useFactory: () => new KafkaBus(config.kafka, logger.child({ component: 'kafka' }), observer),
        },
        { provide: DATABASE, useFactory: () => openDatabase(config.database.url) },
        // The host binds every HTTP API on GATEWAY_HOST: whether that is loopback decides the auto mode.
        { provide: API_AUTH, useFactory: () => createApiAuth(config.api.auth, config.gateway.host, logger) },
      ],
      exports: [CONFIG, LOGGER, METRICS, KAFKA_BUS, DATABASE, API_AUTH],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.disconnect();
    await this.database.end();
  }
}

export type { Logger };
