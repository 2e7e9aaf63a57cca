import 'reflect-metadata';
export { CONFIG, DATABASE, KAFKA_BUS, LOGGER, METRICS, MODEL_HOST } from './tokens.ts';
export { PlatformModule, type PlatformParts } from './platform.module.ts';
export { PlatformMetrics, STAGE_SECONDS_BUCKETS } from './metrics/platform-metrics.ts';
export { MetricsController } from './metrics/metrics.controller.ts';
export { httpMetricsMiddleware } from './metrics/http-metrics.ts';
export {
  KafkaEventTransport,
  KafkaRecordContext,
  stageTransport,
  type KafkaEventTransportOptions,
} from './kafka-event-transport.ts';
export {
  HttpProblem,
  ProblemDetailsFilter,
  FhirOperationOutcomeFilter,
  operationOutcome,
  problemOf,
  type HttpProblemInit,
  type ProblemExtensions,
  type FhirRefusal,
} from './http-problem/index.ts';
export type { RadflowApp } from './radflow-app.ts';
export {
  API_AUTH,
  AllowAnonymous,
  ApiAuthenticated,
  ApiAuthGuard,
  bodyLimitMiddleware,
  createApiAuth,
  type ApiAuth,
  type ApiAuthOptions,
  type AuthenticatedRequest,
} from './auth/index.ts';
export { startHost, type HostOptions, type RunningHost } from './host.ts';
export {
  startTracing,
  httpTracingMiddleware,
  withSpan,
  traceFhirCall,
  tracedFetch,
  traceModelCall,
  traceInbound,
  traceAccession,
  type Tracing,
  type GenerationFacts,
} from './tracing/index.ts';
