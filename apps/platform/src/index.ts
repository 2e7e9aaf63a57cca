import 'reflect-metadata';
export { CONFIG, DATABASE, KAFKA_BUS, LOGGER, MODEL_HOST } from './tokens.ts';
export { PlatformModule } from './platform.module.ts';
export {
  KafkaEventTransport,
  KafkaRecordContext,
  stageTransport,
  type KafkaEventTransportOptions,
} from './kafka-event-transport.ts';
export { RethrowRpcExceptionsFilter } from './rethrow-rpc-exceptions.filter.ts';
export type { RadflowApp } from './radflow-app.ts';
export { startHost, type RunningHost } from './host.ts';
