import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import { DeadLetterHeaders, Topics, deadLetterTopic } from '@radflow/events';
import { ingestApp } from '@radflow/ingest';
import { INBOUND_ERROR_CODES } from '@radflow/reports';
import { startHost, type RunningHost } from '@radflow/platform';
import type { ReportFinalizedPayload } from '@radflow/schemas';
import { EventCollector } from '../support/event-collector.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';

let host: RunningHost;
let collector: EventCollector;

beforeAll(async () => {
  const config = loadConfig({
    ...process.env,
    KAFKA_GROUP_PREFIX: `e2e-${randomUUID()}`,
    // Fresh groups start at the topics' ends (positioned before they join): this test publishes only once its host is
    // up, and replaying what earlier runs left on the long-lived broker cost minutes per file.
    KAFKA_START_FROM: 'latest',
    LOG_LEVEL: 'warn',
  });
  collector = await EventCollector.start([Topics.reportFinalized, deadLetterTopic(Topics.inboundHl7v2)]);
  host = await startHost([ingestApp], config);
});

afterAll(async () => {
  await host?.close();
  await collector?.stop();
});

describe('ingest on the real broker', () => {
  it('dead-letters a malformed message with its reason and original bytes, then processes the next good one', async () => {
    const trace = randomUUID();
    const malformed = Buffer.concat([
      Buffer.from('MSH|^~\\&|BROKEN|', 'latin1'),
      Buffer.from([0xff, 0xfe, 0x00, 0x41]),
    ]);
    const good = uniqueHl7Sample('01-normal-pa-lateral.hl7');

    await collector.bus.publish(Topics.inboundHl7v2, [
      { key: 'same-partition', value: malformed, headers: { 'radflow-trace-id': `${trace}-bad` } },
      { key: 'same-partition', value: good.bytes, headers: { 'radflow-trace-id': `${trace}-good` } },
    ]);

    const [deadLetter] = await collector.waitFor(
      (r) =>
        r.topic === deadLetterTopic(Topics.inboundHl7v2) && r.headers['radflow-trace-id'] === `${trace}-bad`,
    );
    expect(deadLetter!.value?.equals(malformed)).toBe(true);
    expect(INBOUND_ERROR_CODES).toContain(deadLetter!.headers[DeadLetterHeaders.errorCode]);
    expect(deadLetter!.headers[DeadLetterHeaders.errorReason]!.length).toBeGreaterThan(5);
    expect(deadLetter!.headers[DeadLetterHeaders.stage]).toBe('ingest');
    expect(deadLetter!.headers[DeadLetterHeaders.sourceTopic]).toBe(Topics.inboundHl7v2);

    const [finalized] = await collector.waitFor(
      (r) => r.topic === Topics.reportFinalized && r.headers['radflow-trace-id'] === `${trace}-good`,
    );
    const event = collector.bus.decodeEvent<ReportFinalizedPayload>(finalized!);
    expect(event.type).toBe('rad.report.finalized');
    expect(event.payload.report.accession).toBe(good.accession);
    expect(event.payload.report.status).toBe('final');
    expect(event.payload.report.sections.impression).toMatch(/normal chest/i);
    // The Kafka key is the hashed patient id, never the MRN itself.
    expect(finalized!.key?.toString()).toBe(event.payload.report.patient.key);
    expect(finalized!.key?.toString()).not.toMatch(/MRN/);
  });
});
