import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keyedLogHash, useLogHashKey } from '@radflow/config';
import {
  extractTraceContext,
  injectTraceContext,
  markDeadLettered,
  traceAccession,
  withCommitSpan,
  withConsumerSpan,
  withProducerSpan,
  withTraceHeaders,
} from './trace-context.ts';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
const record = (headers: Record<string, string>) => ({
  topic: 'rad.test.v1',
  partition: 2,
  offset: '41',
  headers,
});

describe('trace context with tracing off (no SDK registered)', () => {
  it('adds no header and returns the same objects', async () => {
    const headers = { 'radflow-trace-id': 't1' };
    expect(injectTraceContext(headers)).toBe(headers);
    const records = [{ key: 'k', value: 'v', headers }];
    expect(withTraceHeaders(records)).toBe(records);
    await withProducerSpan('rad.test.v1', 1, async (ctx) => {
      expect(withTraceHeaders(records, ctx)).toBe(records);
    });
    // A traceparent that arrives is not continued: nothing is propagated while tracing is off.
    const carried = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    await withConsumerSpan('stage', 'group', record(carried), async (span) => {
      expect(span.isRecording()).toBe(false);
      expect(withTraceHeaders(records)).toBe(records);
    });
  });
});

describe('W3C trace context in Kafka headers', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
  });
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  it('injects the active span as traceparent, replacing one the headers already carried', async () => {
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('work', async (span) => {
      const carried = {
        'radflow-stage': 'ingest',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      };
      const injected = injectTraceContext(carried)!;
      const [, traceId, spanId] = TRACEPARENT.exec(injected.traceparent!)!;
      expect(traceId).toBe(span.spanContext().traceId);
      expect(spanId).toBe(span.spanContext().spanId);
      expect(injected['radflow-stage']).toBe('ingest');
      expect(carried.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      span.end();
    });
  });

  it('extracts traceparent and tracestate into a remote parent; ignores a malformed one', () => {
    const ctx = extractTraceContext({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'vendor=abc',
    });
    const parent = trace.getSpanContext(ctx)!;
    expect(parent).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      isRemote: true,
    });
    expect(parent.traceState?.get('vendor')).toBe('abc');
    // Buffers (raw kafkajs headers) read the same.
    const fromBuffer = extractTraceContext({
      traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
    });
    expect(trace.getSpanContext(fromBuffer)?.spanId).toBe('b7ad6b7169203331');
    expect(trace.getSpanContext(extractTraceContext({ traceparent: 'not-a-traceparent' }))).toBeUndefined();
    expect(extractTraceContext(undefined)).toBe(ROOT_CONTEXT);
  });

  it('carries a publish to the consumer: its CONSUMER span is the child of the PRODUCER span', async () => {
    let published: { headers?: Record<string, string> }[] = [];
    await withProducerSpan('rad.test.v1', 1, async (ctx) => {
      published = withTraceHeaders([{ key: 'k', value: 'v', headers: { a: 'b' } }], ctx);
    });
    const headers = published[0]!.headers!;
    expect(headers['a']).toBe('b');
    let staged: { headers?: Record<string, string> }[] = [];
    await withConsumerSpan('ingest', 'radflow-ingest', record(headers), async () => {
      // What the handler stages carries the consumer span on to the next stage.
      const next: { key: string; value: string; headers?: Record<string, string> }[] = [
        { key: 'k', value: 'next' },
      ];
      staged = withTraceHeaders(next);
    });
    const [producer, consumer] = exporter.getFinishedSpans();
    expect(producer!.name).toBe('send rad.test.v1');
    expect(producer!.kind).toBe(SpanKind.PRODUCER);
    expect(consumer!.name).toBe('ingest process rad.test.v1');
    expect(consumer!.kind).toBe(SpanKind.CONSUMER);
    expect(consumer!.spanContext().traceId).toBe(producer!.spanContext().traceId);
    expect(consumer!.parentSpanContext?.spanId).toBe(producer!.spanContext().spanId);
    expect(consumer!.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'rad.test.v1',
      'messaging.consumer.group.name': 'radflow-ingest',
      'messaging.destination.partition.id': '2',
      'messaging.kafka.offset': 41,
      'radflow.stage': 'ingest',
    });
    expect(TRACEPARENT.exec(staged[0]!.headers!.traceparent!)![2]).toBe(consumer!.spanContext().spanId);
  });

  it('a record without trace context starts a trace of its own', async () => {
    await withConsumerSpan('ingest', 'g', record({}), async () => undefined);
    const [span] = exporter.getFinishedSpans();
    expect(span!.parentSpanContext).toBeUndefined();
  });

  it('marks dead letters and failures by code only, and links a micro-batch commit to its records', async () => {
    const spans: ReturnType<typeof trace.getActiveSpan>[] = [];
    await withConsumerSpan('triage', 'g', record({}), async (span) => {
      spans.push(span);
      markDeadLettered('INVALID_EVENT');
    });
    const failure = Object.assign(new Error('patient Doe, John not found'), { code: 'HTTP_404' });
    await expect(
      withConsumerSpan('triage', 'g', record({}), async (span) => {
        spans.push(span);
        throw failure;
      }),
    ).rejects.toBe(failure);
    await withCommitSpan(
      'triage',
      'rad.test.v1',
      { count: 2, outputs: 1 },
      spans.map((s) => s!.spanContext()),
      async () => undefined,
    );
    const [dead, failed, commit] = exporter.getFinishedSpans();
    expect(dead!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'INVALID_EVENT' });
    expect(dead!.attributes['radflow.dead_lettered']).toBe(true);
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP_404' });
    expect(failed!.events).toEqual([]); // no exception event: its message could hold PHI
    expect(JSON.stringify(failed!.attributes)).not.toContain('Doe');
    expect(commit!.parentSpanContext?.spanId).toBe(failed!.spanContext().spanId);
    expect(commit!.links.map((l) => l.context.spanId)).toEqual([dead!.spanContext().spanId]);
    expect(commit!.attributes['messaging.batch.message_count']).toBe(2);
  });

  it('names the accession only by its keyed hash', async () => {
    useLogHashKey({ key: 'trace-context-test-key-0123456789', keyFile: '/nonexistent' });
    await withConsumerSpan('enricher', 'g', record({}), async () => traceAccession('ACC0000123'));
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes['radflow.accession_hash']).toBe(
      keyedLogHash('trace-context-test-key-0123456789', 'ACC0000123'),
    );
    expect(JSON.stringify(span!.attributes)).not.toContain('ACC0000123');
  });
});
