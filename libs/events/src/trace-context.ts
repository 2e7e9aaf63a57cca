import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { logHash } from '@radflow/config';

/**
 * W3C trace context in Kafka headers, and the spans of the Kafka boundary. Only the OpenTelemetry API is used here:
 * until a host registers the SDK (apps/platform tracing, OTEL_* settings) every call is the API's no-op, so with
 * tracing off nothing is recorded, no header is added and the cost is a few function calls per record.
 */

/** The headers that carry a trace from one process to the next (W3C Trace Context). */
export const TraceHeaders = { traceparent: 'traceparent', tracestate: 'tracestate' } as const;

/** Span attributes radflow sets beside the OpenTelemetry semantic conventions. */
export const RadflowSpanAttributes = {
  stage: 'radflow.stage',
  /** The accession as a keyed hash (libs/config logHash), never the accession itself. */
  accessionHash: 'radflow.accession_hash',
  deadLettered: 'radflow.dead_lettered',
} as const;

const tracer = () => trace.getTracer('@radflow/events');

type HeaderCarrier = Record<string, string | Buffer | undefined>;

const headerGetter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key] ?? carrier[key.toLowerCase()];
    return Buffer.isBuffer(value) ? value.toString('utf8') : value;
  },
};

const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** The trace context the headers carry (traceparent, tracestate), on top of `base`; `base` when they carry none. */
export function extractTraceContext(
  headers: HeaderCarrier | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  return headers ? propagation.extract(base, headers, headerGetter) : base;
}

/**
 * The headers with the trace of `ctx` (default: the active one) written in by the registered propagator. Returns
 * the same object when there is no trace to carry (tracing off, or no span active), otherwise a copy in which any
 * traceparent/tracestate already there (a dead letter carries its original's) is replaced: the record is this
 * span's output.
 */
export function injectTraceContext(
  headers: Record<string, string> | undefined,
  ctx: Context = context.active(),
): Record<string, string> | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return headers;
  const carrier: Record<string, string> = { ...headers };
  delete carrier[TraceHeaders.traceparent];
  delete carrier[TraceHeaders.tracestate];
  propagation.inject(ctx, carrier, headerSetter);
  return carrier;
}

interface Traceable {
  headers?: Record<string, string> | undefined;
}

/** Each record with the active trace injected into its headers; the same array when there is nothing to carry. */
export function withTraceHeaders<R extends Traceable>(records: R[], ctx: Context = context.active()): R[] {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return records;
  return records.map((record) => ({ ...record, headers: injectTraceContext(record.headers, ctx) }));
}

function kafkaAttributes(topic: string, operation: 'process' | 'send') {
  return {
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
  };
}

function failureCode(error: unknown): string {
  const e = error as { code?: unknown; type?: unknown; name?: unknown } | null;
  for (const candidate of [e?.code, e?.type, e?.name])
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  return 'ERROR';
}

/** Ends `span` as failed with the error's code only: exception messages and stacks are not recorded (PHI). */
export function failSpan(span: Span, error: unknown): void {
  const code = failureCode(error);
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/** Runs `work` in `span`'s context, ending the span when it settles (failed with the error's code when it throws). */
async function inSpan<T>(span: Span, parent: Context, work: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** What the consumer span needs to know about the record it handles. */
export interface TracedRecord {
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

/**
 * One CONSUMER span for a record a stage handles, `<stage> process <topic>`, the child of the producer's context
 * carried in the record's headers; `work` runs in it, so what the handler publishes carries this span onwards.
 */
export function withConsumerSpan<T>(
  stage: string,
  groupId: string,
  record: TracedRecord,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = extractTraceContext(record.headers);
  const span = tracer().startSpan(
    `${stage} process ${record.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...kafkaAttributes(record.topic, 'process'),
        'messaging.consumer.group.name': groupId,
        'messaging.destination.partition.id': String(record.partition),
        'messaging.kafka.offset': Number(record.offset),
        [RadflowSpanAttributes.stage]: stage,
      },
    },
    parent,
  );
  return inSpan(span, parent, work);
}

/**
 * A PRODUCER span around a direct publish (outside any consumed record: the gateway, a replay), `send <topic>`; the
 * records carry it in their headers, so each consumer span downstream is its child.
 */
export function withProducerSpan<T>(
  topic: string,
  count: number,
  work: (ctx: Context) => Promise<T>,
): Promise<T> {
  const parent = context.active();
  const span = tracer().startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: { ...kafkaAttributes(topic, 'send'), 'messaging.batch.message_count': count },
    },
    parent,
  );
  return inSpan(span, parent, () => work(trace.setSpan(parent, span)));
}

/**
 * The commit of a stage's output with the consumed offset (one Kafka transaction): `<stage> commit`, the child of
 * the record's span, or for a micro-batch of the last record's, linked to the others.
 */
export function withCommitSpan<T>(
  stage: string,
  topic: string,
  records: { count: number; outputs: number },
  parents: SpanContext[],
  work: () => Promise<T>,
): Promise<T> {
  const valid = parents.filter(isSpanContextValid);
  const last = valid[valid.length - 1];
  const parent = last ? trace.setSpanContext(ROOT_CONTEXT, last) : context.active();
  const links: Link[] = valid.slice(0, -1).map((spanContext) => ({ context: spanContext }));
  const span = tracer().startSpan(
    `${stage} commit`,
    {
      kind: SpanKind.INTERNAL,
      links,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.batch.message_count': records.count,
        'radflow.kafka.outputs': records.outputs,
        [RadflowSpanAttributes.stage]: stage,
      },
    },
    parent,
  );
  return inSpan(span, parent, () => work());
}

/** The active span's context, to parent or link later work (a micro-batch's commit) to the record handled now. */
export function activeSpanContext(): SpanContext | undefined {
  return trace.getActiveSpan()?.spanContext();
}

/** Marks the active (consumer) span: its record went to the dead-letter topic with this code. */
export function markDeadLettered(code: string): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.setAttribute(RadflowSpanAttributes.deadLettered, true);
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/** Notes on the active span a handler attempt that failed and will be retried (the code, never the reason). */
export function noteRetry(attempt: number, code: string): void {
  trace.getActiveSpan()?.addEvent('retry', { 'radflow.attempt': attempt, 'error.type': code });
}

/**
 * Sets the accession's keyed hash (libs/config logHash) on the active span, when one records: a trace can be found
 * by the same hash the logs carry, and the accession itself never leaves the process.
 */
export function traceAccession(accession: string | undefined): void {
  const span = trace.getActiveSpan();
  if (accession && span?.isRecording())
    span.setAttribute(RadflowSpanAttributes.accessionHash, logHash(accession));
}

/** The accession of a radflow event's report (every report event carries payload.report), if any. */
export function eventAccession(event: unknown): string | undefined {
  const accession = (event as { payload?: { report?: { accession?: unknown } } } | null)?.payload?.report
    ?.accession;
  return typeof accession === 'string' ? accession : undefined;
}
