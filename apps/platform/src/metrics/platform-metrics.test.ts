import { describe, expect, it } from 'vitest';
import { PlatformMetrics } from './platform-metrics.ts';

const series = async (metrics: PlatformMetrics) => (await metrics.exposition()).body;

describe('PlatformMetrics', () => {
  it('names every hosted app and speaks the Prometheus text format', async () => {
    const metrics = new PlatformMetrics(['gateway', 'ingest']);
    const { contentType, body } = await metrics.exposition();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('radflow_app_info{app="gateway"} 1');
    expect(body).toContain('radflow_app_info{app="ingest"} 1');
    expect(body).toMatch(/^process_cpu_seconds_total /m);
  });

  it("turns the bus's reports into series labelled by app, topic and reason", async () => {
    const metrics = new PlatformMetrics(['gateway', 'ingest']);
    const observer = metrics.busObserver(
      (stage) => (stage === 'ingest-stage' ? 'ingest' : stage),
      () => 'gateway',
    );
    observer.produced(undefined, 'rad.inbound.hl7v2.v1', 2);
    observer.consumed('ingest-stage', 'rad.inbound.hl7v2.v1');
    observer.attempted('ingest-stage', 'rad.inbound.hl7v2.v1', 'retry', 0.02, 'DATABASE_UNAVAILABLE');
    observer.attempted('ingest-stage', 'rad.inbound.hl7v2.v1', 'dead_letter', 0.01, 'NOT_HL7');
    observer.produced('ingest-stage', 'rad.inbound.hl7v2.v1.dlq', 1);
    observer.lag('ingest-stage', 'rad.inbound.hl7v2.v1', 2, 7);
    const body = await series(metrics);
    expect(body).toContain(
      'radflow_kafka_messages_produced_total{app="gateway",topic="rad.inbound.hl7v2.v1"} 2',
    );
    expect(body).toContain(
      'radflow_kafka_messages_consumed_total{app="ingest",topic="rad.inbound.hl7v2.v1"} 1',
    );
    expect(body).toContain(
      'radflow_kafka_retries_total{app="ingest",topic="rad.inbound.hl7v2.v1",code="DATABASE_UNAVAILABLE"} 1',
    );
    expect(body).toContain(
      'radflow_kafka_dead_letters_total{app="ingest",topic="rad.inbound.hl7v2.v1",reason="NOT_HL7"} 1',
    );
    expect(body).toContain(
      'radflow_stage_processing_seconds_count{app="ingest",topic="rad.inbound.hl7v2.v1",outcome="dead_letter"} 1',
    );
    expect(body).toContain(
      'radflow_kafka_consumer_lag{app="ingest",topic="rad.inbound.hl7v2.v1",partition="2"} 7',
    );
  });

  it('hands an app the metric it registered before instead of failing on the second registration', () => {
    const metrics = new PlatformMetrics([]);
    const config = { name: 'radflow_test_total', help: 'a test counter', labelNames: ['app'] as const };
    expect(metrics.counter({ ...config, labelNames: [...config.labelNames] })).toBe(
      metrics.counter({ ...config, labelNames: [...config.labelNames] }),
    );
  });

  it('keeps the figures of two hosts in one process apart', async () => {
    const one = new PlatformMetrics(['ingest']);
    const two = new PlatformMetrics(['writeback']);
    one
      .busObserver(
        (s) => s,
        () => 'x',
      )
      .consumed('ingest', 'rad.inbound.hl7v2.v1');
    expect(await series(two)).not.toContain('radflow_kafka_messages_consumed_total{');
  });
});
