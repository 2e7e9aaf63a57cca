export {
  Topics,
  deadLetterTopic,
  eventTypeOfTopic,
  allTopics,
  type Topic,
  type EventTopic,
  type TopicPayloads,
} from './topics.ts';
export { createEnvelope, TRACE_ID_HEADER, type Envelope, type EnvelopeOrigin } from './envelope.ts';
export { createTopicEvent, type TopicEvent } from './topic-event.ts';
export { EventValidator } from './event-validator.ts';
export {
  TransientError,
  PermanentError,
  SchemaValidationError,
  isPermanent,
  isTransient,
  describeFailure,
  needsGroupRejoin,
  isKafkaClientError,
} from './errors.ts';
export { DeadLetterHeaders, deadLetterRecord, type DeadLetterRecord } from './dead-letter.ts';
export { silentBusObserver, type BusObserver } from './bus-observer.ts';
export { backoffDelayMs, defaultRetryPolicy, type RetryPolicy } from './retry-policy.ts';
export {
  KafkaBus,
  type KafkaBusOptions,
  type HandlerContext,
  type RecordOutput,
  type CommitSettlement,
  type StartFrom,
  type RecordHandler,
  type Subscription,
  type OutgoingRecord,
} from './kafka-bus.ts';
export { consumedRecord, type ConsumedRecord } from './consumed-record.ts';
export { kafkaClientSecurity, type KafkaSecurityOptions } from './kafka-security.ts';
export {
  TraceHeaders,
  RadflowSpanAttributes,
  extractTraceContext,
  injectTraceContext,
  withTraceHeaders,
  withConsumerSpan,
  withProducerSpan,
  failSpan,
  traceAccession,
  eventAccession,
} from './trace-context.ts';
