import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import { enricherApp } from '@radflow/enricher';
import { Topics } from '@radflow/events';
import { gatewayApp, MllpListener } from '@radflow/gateway';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RunningHost } from '@radflow/platform';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { EventCollector } from '../support/event-collector.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';
import { sendOverMllp } from '../support/mllp-client.ts';

// The model past its deadline, through the real enricher on the real broker and database: the report is still
// enriched, once, rules-only and marked degraded with the reason, and the worklist priority does not wait for it.
const config = loadConfig({
  ...process.env,
  KAFKA_GROUP_PREFIX: `e2e-timeout-${randomUUID()}`,
  // Fresh groups start at the topics' ends (positioned before they join): this test publishes only once its host is
  // up, and replaying what earlier runs left on the long-lived broker cost minutes per file.
  KAFKA_START_FROM: 'latest',
  GATEWAY_HTTP_PORT: '0',
  GATEWAY_MLLP_PORT: '0',
  INFERENCE_DEADLINE_MS: '10', // the smallest deadline the settings allow: no model answers a prompt that fast
  LOG_LEVEL: 'warn',
});
let host: RunningHost;
let collector: EventCollector;

beforeAll(async () => {
  collector = await EventCollector.start([Topics.reportEnriched]);
  host = await startHost([gatewayApp, ingestApp, enricherApp], config);
});

afterAll(async () => {
  await host?.close();
  await collector?.stop();
});

describe('a model timeout through the real enricher', () => {
  it('gives rules-only output marked degraded, with the STAT priority from the rules', async () => {
    const sample = uniqueHl7Sample('02-pneumothorax-stat.hl7', randomUUID().slice(0, 8));
    const ack = await sendOverMllp(host.app.get(MllpListener).port, sample.bytes);
    expect(ack).toMatch(new RegExp(`MSA\\|AA\\|${sample.controlId}`));
    const [record] = await collector.waitFor(
      (r) =>
        r.topic === Topics.reportEnriched &&
        r.value!.toString().includes(`"accession":"${sample.accession}"`),
    );
    const { enrichment } = collector.bus.decodeEvent<ReportEnrichedPayload>(record!).payload;
    expect(enrichment.degraded).toBe(true);
    expect(enrichment.degradedReason).toMatch(/deadline|timeout|timed out/i);
    expect(enrichment.draftImpression).toBeUndefined();
    expect(enrichment.status).toBe('preliminary');
    expect(enrichment.aiGenerated).toBe(true);
    expect(enrichment.abnormalities.some((l) => l.label === 'pneumothorax' && l.state === 'present')).toBe(
      true,
    );
    expect(enrichment.priority.level).toBe('stat');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const copies = collector.records.filter(
      (r) =>
        r.topic === Topics.reportEnriched &&
        r.value!.toString().includes(`"accession":"${sample.accession}"`),
    );
    expect(copies).toHaveLength(1);
  });
});
