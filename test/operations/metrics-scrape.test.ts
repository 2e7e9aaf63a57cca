import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, repoRoot } from '@radflow/config';
import { enricherApp } from '@radflow/enricher';
import { deadLetterTopic, Topics } from '@radflow/events';
import { gatewayApp, MllpListener } from '@radflow/gateway';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RunningHost } from '@radflow/platform';
import { retrainerApp } from '@radflow/retrainer';
import { worklistApp, WorklistServer } from '@radflow/worklist';
import { writebackApp } from '@radflow/writeback';
import { inferenceApp } from '../../apps/inference/src/inference.app.ts';
import { EventCollector } from '../support/event-collector.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';
import { sendOverMllp } from '../support/mllp-client.ts';
import { declaredMetrics, scrape, scrapeWhen, total, type Sample } from '../support/prometheus-text.ts';

/**
 * Issue 17: every app's GET /metrics after a pipeline run, and the figures moved. Six apps share one host (one
 * /metrics on the gateway's port, the same registry on the worklist page's port, every series labelled by app);
 * writeback runs alone in a second host, which serves no HTTP and so answers on METRICS_PORT. The broker and the
 * idempotency ledger are shared with whatever else runs on this machine: consumers may count other runs' records too,
 * and a stage of another run that claims one of these records first produces its output instead (ours then skips
 * it). So consumer figures are lower bounds, stage outputs must merely have moved, and what only this run's gateway
 * and HTTP servers saw is exact.
 */
const MODEL_DIR = `${repoRoot}models/tiny-random`;
const base = {
  ...process.env,
  KAFKA_GROUP_PREFIX: `e2e-metrics-${randomUUID().slice(0, 8)}`,
  // Fresh groups start at the topics' ends: what other runs left on the long-lived broker is not counted here.
  KAFKA_START_FROM: 'latest',
  GATEWAY_HTTP_PORT: '0',
  GATEWAY_MLLP_PORT: '0',
  WORKLIST_PORT: '0',
  METRICS_PORT: '0',
  MODEL_DIR,
  LOG_LEVEL: 'warn',
};
const config = loadConfig(base);
const model = JSON.parse(readFileSync(`${MODEL_DIR}/radflow-model.json`, 'utf8')) as { version: string };
const runTag = randomUUID().slice(0, 8);
const reports = ['01-normal-pa-lateral.hl7', '02-pneumothorax-stat.hl7', '03-icu-lines-first.hl7'].map(
  (file) => uniqueHl7Sample(file, runTag),
);
const overHttp = uniqueHl7Sample('04-icu-lines-followup.hl7', runTag);

let pipeline: RunningHost;
let writeback: RunningHost;
let collector: EventCollector;
const scraped: { pipeline?: Sample[]; worklist?: Sample[]; writeback?: Sample[] } = {};

beforeAll(async () => {
  collector = await EventCollector.start([Topics.outboundHl7v2]);
  writeback = await startHost([writebackApp], config, { processName: 'e2e-metrics-writeback' });
  pipeline = await startHost(
    [gatewayApp, ingestApp, inferenceApp, enricherApp, retrainerApp, worklistApp],
    config,
    { processName: 'e2e-metrics' },
  );

  const mllpPort = pipeline.app.get(MllpListener).port;
  for (const report of reports) expect(await sendOverMllp(mllpPort, report.bytes)).toContain('MSA|AA');
  // Unreadable at the gateway: dead-lettered there, the sender gets an error ACK.
  expect(await sendOverMllp(mllpPort, Buffer.from(`MSH|^~\\&|BROKEN|${runTag}`))).toMatch(/MSA\|A[ER]/);
  const posted = await fetch(`http://127.0.0.1:${pipeline.httpPort}/v1/hl7`, {
    method: 'POST',
    headers: { 'content-type': 'x-application/hl7-v2+er7' },
    body: overHttp.bytes,
  });
  expect(posted.status).toBe(200);
  // Not HL7 at all: ingest dead-letters it.
  await collector.bus.publish(Topics.inboundHl7v2, [
    { key: runTag, value: Buffer.from('not an HL7 message') },
  ]);
  expect((await fetch(`http://127.0.0.1:${pipeline.httpPort}/inference/health`)).status).toBe(200);

  for (const { accession } of [...reports, overHttp])
    await collector.waitFor(
      (r) => r.topic === Topics.outboundHl7v2 && r.value!.toString('latin1').includes(accession),
    );
  const worklistPort = pipeline.app.get(WorklistServer).port;
  await fetch(`http://127.0.0.1:${worklistPort}/login`);
  // Another writeback on the shared broker may have written an ORU first: wait for this run's consumers' own figures.
  const consumed = 'radflow_kafka_messages_consumed_total';
  scraped.pipeline = await scrapeWhen(
    pipeline.metricsPort,
    (samples) =>
      total(samples, consumed, { app: 'worklist', topic: Topics.reportEnriched }) >= 4 &&
      total(samples, consumed, { app: 'retrainer', topic: Topics.reportFinalized }) >= 4,
  );
  scraped.worklist = await scrape(worklistPort);
  scraped.writeback = await scrapeWhen(
    writeback.metricsPort,
    (samples) =>
      total(samples, 'radflow_kafka_messages_consumed_total', {
        app: 'writeback',
        topic: Topics.reportEnriched,
      }) >= 4 &&
      total(samples, 'radflow_kafka_messages_produced_total', {
        app: 'writeback',
        topic: Topics.outboundHl7v2,
      }) >= 1,
  );
}, 240_000);

afterAll(async () => {
  // Kept for the reader: each endpoint's exposition after the run.
  const out = `${repoRoot}.cache/metrics-scrape`;
  mkdirSync(out, { recursive: true });
  const endpoints = { pipeline: pipeline?.metricsPort, writeback: writeback?.metricsPort };
  for (const [name, port] of Object.entries(endpoints))
    if (port)
      writeFileSync(`${out}/${name}.prom`, await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  await pipeline?.close();
  await writeback?.close();
  await collector?.stop();
});

describe('GET /metrics of every app after a pipeline run', () => {
  it('answers on the shared HTTP port, the worklist port and the headless host METRICS_PORT', () => {
    expect(pipeline.metricsPort).toBe(pipeline.httpPort);
    expect(writeback.httpPort).toBe(0);
    expect(writeback.metricsPort).toBeGreaterThan(0);
    const apps = (samples: Sample[]) =>
      samples.filter((s) => s.name === 'radflow_app_info').map((s) => s.labels['app']);
    expect(apps(scraped.pipeline!).sort()).toEqual(
      ['enricher', 'gateway', 'inference', 'ingest', 'retrainer', 'worklist'].sort(),
    );
    expect(apps(scraped.worklist!)).toContain('worklist');
    expect(apps(scraped.writeback!)).toEqual(['writeback']);
    expect(total(scraped.pipeline!, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('counts messages in and out per topic and app, at every stage', () => {
    const samples = scraped.pipeline!;
    const inbound = Topics.inboundHl7v2;
    expect(total(samples, 'radflow_kafka_messages_produced_total', { app: 'gateway', topic: inbound })).toBe(
      4,
    );
    expect(
      total(samples, 'radflow_kafka_messages_consumed_total', { app: 'ingest', topic: inbound }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      total(samples, 'radflow_kafka_messages_produced_total', {
        app: 'ingest',
        topic: Topics.reportFinalized,
      }),
    ).toBeGreaterThanOrEqual(1);
    for (const app of ['enricher', 'retrainer'])
      expect(
        total(samples, 'radflow_kafka_messages_consumed_total', { app, topic: Topics.reportFinalized }),
      ).toBeGreaterThanOrEqual(4);
    expect(
      total(samples, 'radflow_kafka_messages_produced_total', {
        app: 'enricher',
        topic: Topics.reportEnriched,
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(samples, 'radflow_kafka_messages_consumed_total', {
        app: 'worklist',
        topic: Topics.reportEnriched,
      }),
    ).toBeGreaterThanOrEqual(4);

    const gateway = 'radflow_gateway_messages_total';
    expect(total(samples, gateway, { transport: 'mllp', outcome: 'accepted' })).toBe(3);
    expect(total(samples, gateway, { transport: 'http', outcome: 'accepted' })).toBe(1);
    expect(total(samples, gateway, { transport: 'mllp', outcome: 'dead_lettered' })).toBe(1);

    const alone = scraped.writeback!;
    expect(
      total(alone, 'radflow_kafka_messages_consumed_total', {
        app: 'writeback',
        topic: Topics.reportEnriched,
      }),
    ).toBeGreaterThanOrEqual(4);
    expect(
      total(alone, 'radflow_kafka_messages_produced_total', {
        app: 'writeback',
        topic: Topics.outboundHl7v2,
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('times each stage, counts the dead letter by reason, and reports consumer lag per partition', () => {
    const samples = scraped.pipeline!;
    for (const app of ['ingest', 'enricher'])
      expect(
        total(samples, 'radflow_stage_processing_seconds_count', { app, outcome: 'ok' }),
      ).toBeGreaterThanOrEqual(4);
    expect(
      total(scraped.writeback!, 'radflow_stage_processing_seconds_count', {
        app: 'writeback',
        outcome: 'ok',
      }),
    ).toBeGreaterThanOrEqual(1);
    const deadLetters = samples.filter(
      (s) => s.name === 'radflow_kafka_dead_letters_total' && s.labels['app'] === 'ingest',
    );
    expect(deadLetters.find((s) => s.labels['reason'] === 'NOT_HL7')?.value).toBeGreaterThanOrEqual(1);
    expect(
      total(samples, 'radflow_kafka_dead_letters_total', { app: 'gateway', topic: Topics.inboundHl7v2 }),
    ).toBe(1);
    expect(
      total(samples, 'radflow_kafka_messages_produced_total', {
        app: 'ingest',
        topic: deadLetterTopic(Topics.inboundHl7v2),
      }),
    ).toBeGreaterThanOrEqual(1);
    const lag = samples.filter(
      (s) => s.name === 'radflow_kafka_consumer_lag' && s.labels['app'] === 'enricher',
    );
    expect(lag.length).toBeGreaterThan(0);
    expect(lag.every((s) => s.labels['partition'] !== undefined && s.value >= 0)).toBe(true);
  });

  it('reports the model: version served, tokens, time to first token, queue and batch', () => {
    const samples = scraped.pipeline!;
    const served = samples.filter((s) => s.name === 'radflow_model_info');
    expect(served).toHaveLength(1);
    expect(served[0]!.labels).toMatchObject({ app: 'inference', version: model.version });
    expect(total(samples, 'radflow_inference_requests_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(12);
    expect(total(samples, 'radflow_inference_generated_tokens_total')).toBeGreaterThan(0);
    expect(total(samples, 'radflow_inference_time_to_first_token_seconds_count')).toBeGreaterThanOrEqual(12);
    expect(total(samples, 'radflow_inference_tokens_per_second_count')).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === 'radflow_inference_queue_depth')).toBe(true);
    expect(samples.some((s) => s.name === 'radflow_inference_batch_size')).toBe(true);
  });

  it('times HTTP requests by app and route pattern', () => {
    const samples = scraped.pipeline!;
    const count = 'radflow_http_request_duration_seconds_count';
    expect(total(samples, count, { app: 'gateway', route: '/v1/hl7', status: '200' })).toBe(1);
    expect(total(samples, count, { app: 'inference', route: '/inference/health', status: '200' })).toBe(1);
    expect(total(scraped.worklist!, count, { app: 'worklist', route: '/login', status: '200' })).toBe(1);
  });

  it('times the FHIR calls of the writeback by method, resource type and outcome', () => {
    // The writeback wrote at least one transaction (POST of a Bundle) and searched what it supersedes.
    const count = 'radflow_fhir_request_duration_seconds_count';
    expect(
      total(scraped.writeback!, count, { method: 'POST', resource_type: 'Bundle', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    expect(total(scraped.writeback!, count, { method: 'GET' })).toBeGreaterThanOrEqual(1);
  });

  it('declares every metric the Grafana dashboard queries', async () => {
    const dashboard = readFileSync(`${repoRoot}infra/grafana/radflow-dashboard.json`, 'utf8');
    const queried = new Set(
      [...dashboard.matchAll(/radflow_[a-z_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, '')),
    );
    const declared = new Set<string>();
    for (const port of [pipeline.metricsPort, writeback.metricsPort]) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      for (const name of declaredMetrics(text)) declared.add(name);
    }
    expect(queried.size).toBeGreaterThan(10);
    expect([...queried].filter((name) => !declared.has(name))).toEqual([]);
  });
});
