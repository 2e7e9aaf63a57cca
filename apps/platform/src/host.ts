import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { RadflowConfig } from '@radflow/config';
import { deadLetterTopic, type KafkaBus } from '@radflow/events';
import { migrate, type Database } from '@radflow/store';
import { KafkaEventTransport } from './kafka-event-transport.ts';
import { PlatformModule } from './platform.module.ts';
import type { RadflowApp } from './radflow-app.ts';
import { RethrowRpcExceptionsFilter } from './rethrow-rpc-exceptions.filter.ts';
import { DATABASE, KAFKA_BUS } from './tokens.ts';

export interface RunningHost {
  app: INestApplication;
  /** The HTTP port actually bound (0 when no app serves HTTP). */
  httpPort: number;
  close(): Promise<void>;
}

/**
 * Starts one process hosting the given apps: one HTTP server for those that serve HTTP, one Kafka consumer
 * group per consuming app, shared producer and database pool. The embedded default passes all of them.
 */
export async function startHost(
  apps: RadflowApp[],
  config: RadflowConfig,
  options: { httpPort?: number; processName?: string } = {},
): Promise<RunningHost> {
  @Module({
    imports: [PlatformModule.forRoot(config, options.processName), ...apps.map((a) => a.module(config))],
  })
  class HostModule {}

  // rawBody: the gateway forwards the bytes a sender posted, not a re-serialisation of parsed JSON.
  const app = await NestFactory.create(HostModule, {
    logger: ['error', 'warn'],
    abortOnError: false,
    rawBody: true,
  });
  app.enableShutdownHooks();
  // Global, so the Kafka transports connected below inherit it (inheritAppConfig).
  app.useGlobalFilters(new RethrowRpcExceptionsFilter(app.getHttpAdapter()));
  await migrate(app.get<Database>(DATABASE));
  const bus = app.get<KafkaBus>(KAFKA_BUS);
  const topics = apps.flatMap((a) => [...(a.consumes?.topics ?? []), ...(a.produces ?? [])]);
  await bus.createTopics([...new Set(topics.flatMap((topic) => [topic, deadLetterTopic(topic)]))]);

  for (const radflowApp of apps) {
    if (!radflowApp.consumes) continue;
    const strategy = new KafkaEventTransport({
      bus,
      groupId: `${config.kafka.groupPrefix}-${radflowApp.consumes.stage}`,
      stage: radflowApp.consumes.stage,
      topics: radflowApp.consumes.topics,
      ephemeral: radflowApp.consumes.ephemeral ?? false,
    });
    app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  }
  await app.startAllMicroservices();

  const servesHttp = apps.find((a) => a.httpPort);
  const requestedPort = options.httpPort ?? servesHttp?.httpPort?.(config);
  let httpPort = 0;
  if (requestedPort !== undefined) {
    await app.listen(requestedPort, config.gateway.host);
    const address = app.getHttpServer().address();
    httpPort = typeof address === 'object' && address ? address.port : requestedPort;
  } else {
    await app.init();
  }
  return { app, httpPort, close: () => app.close() };
}
