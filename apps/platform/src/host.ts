import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory, RouterModule, type Routes } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PATTERN_HANDLER_METADATA, TRANSPORT_METADATA } from '@nestjs/microservices/constants.js';
import { createLogger, type DestinationStream, type RadflowConfig } from '@radflow/config';
import { deadLetterTopic, type KafkaBus } from '@radflow/events';
import { migrate, type Database } from '@radflow/store';
import { bodyLimitMiddleware } from './auth/body-limit.ts';
import { KafkaEventTransport, stageTransport } from './kafka-event-transport.ts';
import { AppOfRequestInterceptor, httpMetricsMiddleware } from './metrics/http-metrics.ts';
import { startMetricsServer } from './metrics/metrics-server.ts';
import { httpTracingMiddleware } from './tracing/http-tracing.ts';
import { startTracing, type Tracing } from './tracing/tracing.ts';
import { NestPinoLogger } from './metrics/nest-logger.ts';
import { PlatformMetrics } from './metrics/platform-metrics.ts';
import { PlatformModule } from './platform.module.ts';
import type { RadflowApp } from './radflow-app.ts';
import { ProblemDetailsFilter } from './http-problem/index.ts';
import { DATABASE, KAFKA_BUS, LOGGER } from './tokens.ts';

export interface RunningHost {
  app: INestApplication;
  /** The HTTP port actually bound (0 when no app serves HTTP). */
  httpPort: number;
  /** Where GET /metrics answers: the HTTP port, or METRICS_PORT's listener when no app serves HTTP (0: neither). */
  metricsPort: number;
  metrics: PlatformMetrics;
  close(): Promise<void>;
}

export interface HostOptions {
  httpPort?: number;
  processName?: string;
  /** Where every log line of the host goes (its apps', the Kafka client's, Nest's); default standard output. */
  logDestination?: DestinationStream;
}

type ModuleSpec = Type<unknown> | DynamicModule;

/** The module classes and controllers of an app's module tree (its module and what it imports). */
function moduleTree(root: ModuleSpec): { modules: Type<unknown>[]; controllers: Type<unknown>[] } {
  const modules = new Set<Type<unknown>>();
  const controllers = new Set<Type<unknown>>();
  const visit = (spec: unknown) => {
    if (!spec || spec instanceof Promise || (typeof spec === 'object' && 'forwardRef' in spec)) return;
    const dynamic = typeof spec === 'function' ? undefined : (spec as DynamicModule);
    const moduleClass = (dynamic ? dynamic.module : spec) as Type<unknown>;
    if (modules.has(moduleClass)) return;
    modules.add(moduleClass);
    const declared = [
      ...((Reflect.getMetadata('controllers', moduleClass) as Type<unknown>[] | undefined) ?? []),
      ...(dynamic?.controllers ?? []),
    ];
    for (const controller of declared) controllers.add(controller);
    for (const imported of [
      ...((Reflect.getMetadata('imports', moduleClass) as unknown[] | undefined) ?? []),
      ...(dynamic?.imports ?? []),
    ])
      visit(imported);
  };
  visit(root);
  return { modules: [...modules], controllers: [...controllers] };
}

function eventHandlers(controller: Type<unknown>): Array<(...args: unknown[]) => unknown> {
  const handlers: Array<(...args: unknown[]) => unknown> = [];
  for (
    let proto = controller.prototype;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method = Object.getOwnPropertyDescriptor(proto, name)?.value;
      if (typeof method === 'function' && Reflect.getMetadata(PATTERN_HANDLER_METADATA, method) !== undefined)
        handlers.push(method);
    }
  }
  return handlers;
}

/**
 * Binds every @EventPattern handler of each consuming app to that app's stage transport. Nest registers the
 * handlers of every controller in the process with every transport, and runs all handlers of a topic for each
 * record: without this, two apps reading one topic (enricher and retrainer on rad.report.finalized.v1) would each
 * run BOTH handlers in BOTH groups. An event handler in an app that consumes nothing would run in every group: refused.
 */
function bindEventHandlersToStages(
  apps: RadflowApp[],
  trees: Map<RadflowApp, ReturnType<typeof moduleTree>>,
) {
  const owner = new Map<Type<unknown>, RadflowApp>();
  for (const app of apps) {
    for (const controller of trees.get(app)!.controllers) {
      const handlers = eventHandlers(controller);
      if (handlers.length === 0) continue;
      const previous = owner.get(controller);
      if (previous && previous !== app)
        throw new Error(`${controller.name} handles Kafka events in both ${previous.name} and ${app.name}`);
      owner.set(controller, app);
      if (!app.consumes)
        throw new Error(`${controller.name} handles Kafka events but app ${app.name} consumes no topics`);
      const transport = stageTransport(app.consumes.stage);
      for (const handler of handlers) {
        const declared = Reflect.getMetadata(TRANSPORT_METADATA, handler) as unknown;
        if (declared !== undefined && declared !== transport)
          throw new Error(
            `${controller.name}.${handler.name} is bound to another transport than ${app.name}'s`,
          );
        Reflect.defineMetadata(TRANSPORT_METADATA, transport, handler);
      }
    }
  }
}

/**
 * Starts one process hosting the given apps: one HTTP server for those that serve HTTP (each app's routes under its
 * httpPrefix; two apps declaring the same route fail the start), one Kafka consumer group per consuming app running
 * only that app's handlers, shared producer and database pool. The embedded default passes all of them.
 */
export async function startHost(
  apps: RadflowApp[],
  config: RadflowConfig,
  options: HostOptions = {},
): Promise<RunningHost> {
  const modules = new Map(apps.map((a) => [a, a.module(config)] as const));
  const trees = new Map(apps.map((a) => [a, moduleTree(modules.get(a)!)] as const));
  bindEventHandlersToStages(apps, trees);
  const processName = options.processName ?? 'radflow';
  const logger = createLogger(processName, config.logLevel, options.logDestination);
  const metrics = new PlatformMetrics(apps.map((a) => a.name));
  const busObserver = metrics.busObserver(appOfStage(apps), appOfTopic(apps, processName));
  const routes: Routes = apps.flatMap((a) =>
    a.httpPrefix ? trees.get(a)!.modules.map((module) => ({ path: a.httpPrefix!, module })) : [],
  );

  @Module({
    imports: [
      PlatformModule.forRoot(config, processName, { logger, metrics, busObserver }),
      ...modules.values(),
      ...(routes.length > 0 ? [RouterModule.register(routes)] : []),
    ],
  })
  class HostModule {}

  // rawBody: the gateway forwards the bytes a sender posted, not a re-serialisation of parsed JSON.
  const app = await NestFactory.create<NestExpressApplication>(HostModule, {
    logger: new NestPinoLogger(logger.child({ component: 'nest' })),
    abortOnError: false,
    rawBody: true,
    // Composed apps share one HTTP server: a route two of them declare would silently answer for only one.
    routeConflictPolicy: { duplicate: 'error' },
  });
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>>;
  let tracing: Tracing | undefined;
  try {
    // OTEL_* settings: off by default; on, every span of this process is exported (one SDK per process).
    tracing = await startTracing(config.otel, processName, logger);
    app.use(httpTracingMiddleware());
    app.use(httpMetricsMiddleware(metrics, apps.find((a) => a.httpPort)?.name ?? processName));
    // HTTP_MAX_BODY_BYTES: 413 before a body is read (the parsers stop chunked ones at the same size).
    app.use(bodyLimitMiddleware(config.api.maxBodyBytes));
    app.useBodyParser('json', { limit: config.api.maxBodyBytes });
    app.useBodyParser('urlencoded', { limit: config.api.maxBodyBytes, extended: true });
    app.useGlobalInterceptors(new AppOfRequestInterceptor(appOfController(apps, trees)));
    const httpPort = await startApps(app, apps, config, options);
    if (httpPort === 0)
      metricsServer = await startMetricsServer(metrics, config.metricsPort, config.gateway.host, logger);
    return {
      app,
      httpPort,
      metricsPort: httpPort || (metricsServer?.port ?? 0),
      metrics,
      close: async () => {
        metrics.stopObservingFhirCalls();
        await metricsServer?.close();
        await app.close();
        await tracing?.close();
      },
    };
  } catch (error) {
    // Nothing half-started is left behind: consumers leave their groups, the pool and producer close.
    metrics.stopObservingFhirCalls();
    await app.close().catch(() => undefined);
    await tracing?.close().catch(() => undefined);
    throw error;
  }
}

/** The app of a consumer group's stage; a stage no app declares (the worklist's own feed) names itself. */
function appOfStage(apps: RadflowApp[]): (stage: string) => string {
  const byStage = new Map(apps.flatMap((a) => (a.consumes ? [[a.consumes.stage, a.name] as const] : [])));
  return (stage) => byStage.get(stage) ?? stage;
}

/** The app(s) that declare producing a topic, for records published outside a consumed record. */
function appOfTopic(apps: RadflowApp[], processName: string): (topic: string) => string {
  return (topic) =>
    apps
      .filter((a) => a.produces?.includes(topic))
      .map((a) => a.name)
      .join('+') || processName;
}

function appOfController(
  apps: RadflowApp[],
  trees: Map<RadflowApp, ReturnType<typeof moduleTree>>,
): Map<Type<unknown>, string> {
  return new Map(apps.flatMap((a) => trees.get(a)!.controllers.map((c) => [c, a.name] as const)));
}

async function startApps(
  app: INestApplication,
  apps: RadflowApp[],
  config: RadflowConfig,
  options: { httpPort?: number },
): Promise<number> {
  app.enableShutdownHooks();
  // Global, so the Kafka transports connected below inherit it (inheritAppConfig): it rethrows their errors.
  app.useGlobalFilters(new ProblemDetailsFilter(app.get(LOGGER)));
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
      ...(radflowApp.consumes.startFrom ? { startFrom: radflowApp.consumes.startFrom } : {}),
      ...(radflowApp.consumes.microBatch ? { maxBatchRecords: config.kafka.microBatchRecords } : {}),
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
  for (const radflowApp of apps) await radflowApp.onStarted?.(app, config);
  return httpPort;
}
