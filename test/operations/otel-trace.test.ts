import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, logHash, repoRoot } from '@radflow/config';
import { enricherApp, triageApp } from '@radflow/enricher';
import { gatewayApp, MllpListener } from '@radflow/gateway';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RunningHost } from '@radflow/platform';
import { worklistTaskApp, writebackApp } from '@radflow/writeback';
import { inferenceApp } from '../../apps/inference/src/inference.app.ts';
import { sendOverMllp } from '../support/mllp-client.ts';
import { seededHl7Report, type SeededReport } from '../support/phi-samples.ts';

/**
 * Issue 17, traces: one HL7 report through gateway → ingest → triage and enricher → inference (over HTTP, as a
 * separately deployed model service is called) → writeback and worklist-task, with tracing ON (OTEL_* variables)
 * exporting OTLP/HTTP JSON to a collector this test runs. One trace must hold every stage's span, its Kafka hops as
 * parent and child, and not one attribute may hold the report's text, the patient's name or an identifier.
 */

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: { key: string; value: OtlpValue }[];
  status?: { code?: number; message?: string };
}
interface Received extends OtlpSpan {
  attrs: Record<string, unknown>;
  resource: Record<string, unknown>;
}

const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };

function plain(value: OtlpValue): unknown {
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  return value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
}
const attributeMap = (list: { key: string; value: OtlpValue }[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, plain(value)]));

/** A minimal OTLP/HTTP receiver (JSON encoding), as an OpenTelemetry Collector or Jaeger would listen on :4318. */
class OtlpReceiver {
  readonly spans: Received[] = [];
  readonly contentTypes = new Set<string>();
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url !== '/v1/traces') {
          response.writeHead(404).end();
          return;
        }
        this.contentTypes.add(request.headers['content-type'] ?? '');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans?: {
            resource?: { attributes?: { key: string; value: OtlpValue }[] };
            scopeSpans?: { spans?: OtlpSpan[] }[];
          }[];
        };
        for (const resourceSpans of body.resourceSpans ?? []) {
          const resource = attributeMap(resourceSpans.resource?.attributes);
          for (const scope of resourceSpans.scopeSpans ?? [])
            for (const span of scope.spans ?? [])
              this.spans.push({ ...span, attrs: attributeMap(span.attributes), resource });
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const receiver = new OtlpReceiver();
/** Reports sent (one, unless another run's consumers took one over, see below); `report` is the traced one. */
const sent: SeededReport[] = [];
let report: SeededReport;
/** A report's narrative (OBX-5), in pieces long enough that a match is a leak, not a coincidence. */
const narrative = (seeded: SeededReport) =>
  seeded.bytes
    .toString('latin1')
    .split('\r')
    .filter((segment) => segment.startsWith('OBX|'))
    .flatMap((segment) => (segment.split('|')[5] ?? '').split(/\\\.br\\|~/))
    .map((piece) => piece.trim())
    .filter((piece) => piece.length >= 12);
const STAGES = ['ingest', 'triage', 'enricher', 'writeback', 'worklist-task'];

let inference: RunningHost;
let pipeline: RunningHost;
let trace: Received[] = [];

const durationMs = (span: OtlpSpan) =>
  Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6;
const stageSpan = (stage: string) =>
  trace.find((s) => s.kind === SPAN_KIND.CONSUMER && s.attrs['radflow.stage'] === stage);

/**
 * Waits for the report's trace, found by its gateway span's accession hash (the hash the logs carry), to hold every
 * stage's span and the model's; '' when it does, else what it still lacks.
 */
async function awaitTrace(seeded: SeededReport, timeoutMs: number): Promise<string> {
  const accessionHash = logHash(seeded.accession);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gateway = receiver.spans.find(
      (s) => s.name === 'gateway receive hl7v2' && s.attrs['radflow.accession_hash'] === accessionHash,
    );
    trace = gateway ? receiver.spans.filter((s) => s.traceId === gateway.traceId) : [];
    const lacking = [
      ...STAGES.filter((stage) => !stageSpan(stage)),
      ...(trace.filter((s) => s.name === 'inference.generate').length >= 3 ? [] : ['inference.generate']),
    ];
    if (lacking.length === 0) return '';
    if (Date.now() > deadline)
      return `missing ${lacking.join(', ')}; got ${trace.map((s) => s.name).join(', ') || 'no gateway span'}`;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  await receiver.start();
  const env = {
    ...process.env,
    KAFKA_GROUP_PREFIX: `e2e-otel-${randomUUID().slice(0, 8)}`,
    // Fresh groups start at the topics' ends: records other runs left on the long-lived broker are not read.
    KAFKA_START_FROM: 'latest',
    GATEWAY_HTTP_PORT: '0',
    GATEWAY_MLLP_PORT: '0',
    INFERENCE_PORT: '0',
    METRICS_PORT: '0',
    MODEL_DIR: `${repoRoot}models/tiny-random`,
    LOG_LEVEL: 'warn',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'radflow-e2e-otel',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  // The model service on its own host and port; the enricher calls it over HTTP (INFERENCE_URL).
  inference = await startHost([inferenceApp], loadConfig(env), { processName: 'e2e-otel-inference' });
  const config = loadConfig({ ...env, INFERENCE_URL: `http://127.0.0.1:${inference.httpPort}/inference` });
  pipeline = await startHost(
    [gatewayApp, ingestApp, triageApp, enricherApp, writebackApp, worklistTaskApp],
    config,
    { processName: 'e2e-otel' },
  );
  // The broker and the idempotency ledger are shared with whatever else runs on this machine: another run's consumer
  // groups read these topics too, and when one of its stages claims this report first, this run's stage skips it and
  // the next stage gets the other run's (untraced) output. Then a fresh report is sent, at most three in all; a
  // propagation bug breaks every attempt the same way.
  let missing = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const seeded = seededHl7Report('02-pneumothorax-stat.hl7');
    sent.push(seeded);
    expect(await sendOverMllp(pipeline.app.get(MllpListener).port, seeded.bytes)).toContain('MSA|AA');
    missing = await awaitTrace(seeded, 90_000);
    if (!missing) {
      report = seeded;
      console.log(`traced report: attempt ${attempt}`);
      break;
    }
  }
  if (missing) throw new Error(`trace incomplete after 3 reports: ${missing}`);
  // Spans still open when the last stage span arrived (none expected) get one more export.
  await new Promise((resolve) => setTimeout(resolve, 500));
  trace = receiver.spans.filter((s) => s.traceId === trace[0]!.traceId);
}, 330_000);

afterAll(async () => {
  await pipeline?.close();
  await inference?.close();
  await receiver.stop();
});

describe('one report traced across every stage (OTLP/HTTP, W3C trace context in Kafka and HTTP headers)', () => {
  it('prints the trace: span names and durations', () => {
    const start = (span: OtlpSpan) => BigInt(span.startTimeUnixNano);
    const byStart = (x: OtlpSpan, y: OtlpSpan) => (start(x) < start(y) ? -1 : start(x) > start(y) ? 1 : 0);
    const ids = new Set(trace.map((s) => s.spanId));
    const t0 = start([...trace].sort(byStart)[0]!);
    // Depth-first from the root, children in start order: each span under its parent.
    const lines: string[] = [];
    const visit = (span: OtlpSpan, depth: number) => {
      const offset = Number(start(span) - t0) / 1e6;
      lines.push(
        `${`+${offset.toFixed(0)} ms`.padStart(10)} ${durationMs(span).toFixed(1).padStart(9)} ms  ${'  '.repeat(depth)}${span.name}`,
      );
      for (const child of trace.filter((s) => s.parentSpanId === span.spanId).sort(byStart))
        visit(child, depth + 1);
    };
    for (const root of trace.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId)).sort(byStart))
      visit(root, 0);
    console.log(`trace ${trace[0]!.traceId} (${trace.length} spans)\n${lines.join('\n')}`);
    expect(lines.length).toBe(trace.length);
    expect(receiver.contentTypes).toEqual(new Set(['application/json']));
    expect(trace[0]!.resource['service.name']).toBe('radflow-e2e-otel');
  });

  it('holds the spans of gateway, ingest, triage, enricher, inference, writeback and worklist-task, each with a duration', () => {
    const gateway = trace.find((s) => s.name === 'gateway receive hl7v2')!;
    expect(gateway.kind).toBe(SPAN_KIND.SERVER);
    const stageSpans = [
      gateway,
      ...['ingest', 'triage', 'enricher', 'writeback', 'worklist-task'].map((stage) => stageSpan(stage)!),
      ...trace.filter((s) => s.name === 'inference.generate'),
    ];
    for (const span of stageSpans) {
      expect(span.traceId).toBe(gateway.traceId);
      expect(durationMs(span)).toBeGreaterThan(0);
    }
    expect(stageSpan('ingest')!.name).toBe('ingest process rad.inbound.hl7v2.v1');
    expect(stageSpan('enricher')!.attrs).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'rad.report.finalized.v1',
      'radflow.accession_hash': logHash(report.accession),
    });
    expect(typeof stageSpan('enricher')!.attrs['messaging.kafka.offset']).not.toBe('undefined');
    const generate = trace.find((s) => s.name === 'inference.generate')!;
    expect(Number(generate.attrs['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);
    expect(Number(generate.attrs['gen_ai.usage.input_tokens'])).toBeGreaterThan(0);
    expect(generate.attrs['radflow.inference.batch_size_at_submit']).toBeDefined();
  });

  it('links each Kafka and HTTP hop as parent and child', () => {
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parentOf = (span: OtlpSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);
    const gateway = trace.find((s) => s.name === 'gateway receive hl7v2')!;
    const send = parentOf(stageSpan('ingest')!)!;
    expect(send).toMatchObject({ name: 'send rad.inbound.hl7v2.v1', kind: SPAN_KIND.PRODUCER });
    expect(parentOf(send)).toBe(gateway);
    expect(parentOf(stageSpan('triage')!)).toBe(stageSpan('ingest'));
    expect(parentOf(stageSpan('enricher')!)).toBe(stageSpan('ingest'));
    expect(parentOf(stageSpan('worklist-task')!)).toBe(stageSpan('triage'));
    expect(parentOf(stageSpan('writeback')!)).toBe(stageSpan('enricher'));
    // enricher → HTTP client span (traceparent sent) → the inference service's server span → the model's generation.
    for (const generate of trace.filter((s) => s.name === 'inference.generate')) {
      const server = parentOf(generate)!;
      expect(server).toMatchObject({ name: 'POST /inference/v1/tasks/:task', kind: SPAN_KIND.SERVER });
      const client = parentOf(server)!;
      expect(client).toMatchObject({ name: 'POST /v1/tasks/{task}', kind: SPAN_KIND.CLIENT });
      expect(parentOf(client)).toBe(stageSpan('enricher'));
    }
    // FHIR calls are CLIENT spans under the stage that makes them: the writeback's and the worklist Task's writes.
    const ancestors = (span: OtlpSpan) => {
      const found: OtlpSpan[] = [];
      for (let parent = parentOf(span); parent; parent = parentOf(parent)) found.push(parent);
      return found;
    };
    const fhirWrites = trace.filter((s) => s.name === 'fhir POST Bundle');
    for (const stage of ['writeback', 'worklist-task'])
      expect(fhirWrites.some((s) => ancestors(s).includes(stageSpan(stage)!))).toBe(true);
    for (const span of trace.filter((s) => s.name.startsWith('fhir '))) {
      expect(span.kind).toBe(SPAN_KIND.CLIENT);
      expect(span.attrs['server.address']).toBe('127.0.0.1');
    }
    // Nothing in the trace is an orphan: every parent it names was exported with it.
    for (const span of trace) if (span.parentSpanId) expect(byId.has(span.parentSpanId)).toBe(true);
  });

  it('carries no report text, name or identifier in any attribute of any exported span', () => {
    const values = receiver.spans.flatMap((s) => [
      s.name,
      s.status?.message ?? '',
      ...Object.values(s.attrs).map((v) => JSON.stringify(v)),
      ...Object.values(s.resource).map((v) => JSON.stringify(v)),
    ]);
    expect(values.length).toBeGreaterThan(100);
    const secrets = sent.flatMap((seeded) => [...seeded.phi, ...narrative(seeded)]);
    expect(narrative(report).length).toBeGreaterThan(0);
    for (const secret of secrets) {
      const leaks = values.filter((value) => value.includes(secret));
      expect(leaks, `"${secret}" found in span data`).toEqual([]);
    }
  });
});
