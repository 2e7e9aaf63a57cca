import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig, repoRoot, type RadflowConfig } from '@radflow/config';
import { enricherApp } from '@radflow/enricher';
import { createEnvelope, deadLetterTopic, Topics, type ConsumedRecord } from '@radflow/events';
import { startHost, type RunningHost } from '@radflow/platform';
import { retrainerApp } from '@radflow/retrainer';
import type { RadiologyReport, ReportEnrichedPayload } from '@radflow/schemas';
import { openDatabase } from '@radflow/store';
import { writebackApp } from '@radflow/writeback';
import { EventCollector } from '../support/event-collector.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

/**
 * Issue 14: the enricher, the retrainer (both read rad.report.finalized.v1, each in its own consumer group) and the
 * writeback in ONE host process, N finalized reports in a burst: every accession gets exactly one record on
 * rad.report.enriched.v1 and exactly one ORU^R01 on rad.outbound.hl7v2.v1, also when PostgreSQL goes away mid-run.
 * Counted by a read_committed reader (what downstream consumers must use: see the README).
 * E2E_EXACTLY_ONCE_REPORTS sets N (default 100; the issue measured 300).
 */
const REPORTS = Number(process.env.E2E_EXACTLY_ONCE_REPORTS ?? 100);
const PATIENTS = 12;
const savedEnv = { ...process.env };
let collector: EventCollector;

beforeAll(async () => {
  // The retrainer only has to read: no policy timer, no training in this test.
  Object.assign(process.env, { RETRAIN_AUTO: 'false' });
  collector = await EventCollector.start([
    Topics.reportEnriched,
    Topics.outboundHl7v2,
    deadLetterTopic(Topics.reportFinalized),
    deadLetterTopic(Topics.reportEnriched),
  ]);
});

afterAll(async () => {
  await collector?.stop();
  process.env = savedEnv;
});

function runConfig(run: string, overrides: Record<string, string> = {}): RadflowConfig {
  return loadConfig({
    ...process.env,
    KAFKA_GROUP_PREFIX: `e2e-${run}`,
    RETRAINER_HTTP_PORT: '0',
    // Rules-only drafts are enough to count records: keep the CPU for the pipeline.
    MODEL_DIR: `${repoRoot}models/tiny-random`,
    INFERENCE_DEADLINE_MS: '100',
    FHIR_PRIOR_LOOKUP: 'false',
    FHIR_TIMEOUT_MS: '5000',
    LOG_LEVEL: 'error',
    ...overrides,
  });
}

/** Fresh groups start at the end of their topics: other runs' records on the long-lived broker are not ours. */
async function positionGroupsAtEnd(config: RadflowConfig): Promise<void> {
  const prefix = config.kafka.groupPrefix;
  const groups: Record<string, string[]> = {
    [`${prefix}-enricher`]: [Topics.reportFinalized],
    [`${prefix}-retrainer`]: [Topics.reportFinalized, Topics.feedback],
    [`${prefix}-writeback`]: [Topics.reportEnriched],
  };
  await collector.bus.createTopics([Topics.reportFinalized, Topics.feedback, Topics.modelEvents]);
  const admin = new Kafka({
    clientId: 'e2e-exactly-once',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    for (const [groupId, topics] of Object.entries(groups)) {
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({
          groupId,
          topic,
          partitions: ends.map((end) => ({ partition: end.partition, offset: end.high })),
        });
      }
    }
  } finally {
    await admin.disconnect();
  }
}

function finalizedReport(run: string, index: number): RadiologyReport {
  const patient = index % PATIENTS;
  const accession = `EO-${run}-${index}`;
  const reportedAt = new Date(Date.UTC(2024, 4, 2, 11, 0, index)).toISOString();
  return {
    source: {
      kind: 'hl7v2',
      messageId: `MSG-${accession}`,
      sendingApplication: 'RIS',
      sendingFacility: 'GENHOSP',
    },
    reportId: `F-${accession}`,
    reportVersion: `final:${reportedAt}`,
    accession,
    patient: {
      key: createHash('sha256').update(`${run}-${patient}`).digest('hex').slice(0, 32),
      identifier: { system: 'urn:oid:2.16.840.1.113883.19.5', value: `MRN-${run}-${patient}` },
    },
    procedure: { code: '36643-5', system: 'http://loinc.org', text: 'XR Chest 2 Views' },
    status: 'final',
    observedAt: reportedAt,
    reportedAt,
    text: 'FINDINGS: Small right pneumothorax. Endotracheal tube in place. IMPRESSION: Small right pneumothorax.',
    sections: {
      findings: 'Small right pneumothorax. Endotracheal tube in place.',
      impression: 'Small right pneumothorax.',
    },
    unusedContent: [],
  };
}

async function publishFinalized(run: string): Promise<string[]> {
  const reports = Array.from({ length: REPORTS }, (_, index) => finalizedReport(run, index));
  await collector.bus.publish(
    Topics.reportFinalized,
    reports.map((report) => {
      const event = createEnvelope(
        'rad.report.finalized',
        1,
        { report },
        { sourceMessageId: report.source.messageId, producer: 'e2e' },
      );
      return {
        key: report.patient.key,
        value: JSON.stringify(event),
        headers: { 'radflow-event-type': event.type, 'radflow-trace-id': event.traceId },
      };
    }),
  );
  return reports.map((report) => report.accession);
}

/** Records of this run that were dead-lettered (none should be: a database outage is transient). */
function deadLettered(run: string): number {
  return collector.records.filter(
    (r) => r.topic.endsWith('.dlq') && (r.value?.toString('latin1') ?? '').includes(`EO-${run}-`),
  ).length;
}

/** The ledger's state for this run's keys: every one done, once, for the enricher and the writeback. */
async function ledgerOf(run: string): Promise<Record<string, Record<string, number>>> {
  const database = openDatabase(loadConfig().database.url, 1);
  try {
    const result = await database.query<{ consumer: string; state: string; n: string }>(
      `SELECT consumer, state, count(*) AS n FROM idempotency_ledger
       WHERE consumer IN ('enricher', 'writeback') AND idempotency_key LIKE $1 GROUP BY consumer, state`,
      [`EO-${run}-%`],
    );
    const ledger: Record<string, Record<string, number>> = {};
    for (const row of result.rows) (ledger[row.consumer] ??= {})[row.state] = Number(row.n);
    return ledger;
  } finally {
    await database.end();
  }
}

/** Records per accession of this run, on the enriched and the outbound topic. */
function countsOf(run: string): { enriched: Map<string, number>; oru: Map<string, number> } {
  const pattern = new RegExp(`EO-${run}-\\d+`);
  const enriched = new Map<string, number>();
  const oru = new Map<string, number>();
  for (const record of collector.records) {
    if (record.topic === Topics.reportEnriched) {
      const text = record.value?.toString('utf8') ?? '';
      if (!pattern.test(text)) continue;
      const accession = collector.bus.decodeEvent<ReportEnrichedPayload>(record as ConsumedRecord).payload
        .report.accession;
      enriched.set(accession, (enriched.get(accession) ?? 0) + 1);
    } else if (record.topic === Topics.outboundHl7v2) {
      const accession = pattern.exec(record.value?.toString('latin1') ?? '')?.[0];
      if (accession) oru.set(accession, (oru.get(accession) ?? 0) + 1);
    }
  }
  return { enriched, oru };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every accession has both records, then a while longer so that late duplicates are counted too. */
async function settle(run: string, accessions: string[], timeoutMs: number, quietMs = 8_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { enriched, oru } = countsOf(run);
    if (accessions.every((a) => enriched.has(a) && oru.has(a))) break;
    if (Date.now() > deadline)
      throw new Error(
        `after ${timeoutMs} ms: ${enriched.size} of ${accessions.length} enriched, ${oru.size} ORUs`,
      );
    await sleep(500);
  }
  await sleep(quietMs);
  return countsOf(run);
}

function summary(run: string, label: string, accessions: string[], counts: ReturnType<typeof countsOf>) {
  const total = (map: Map<string, number>) => [...map.values()].reduce((sum, n) => sum + n, 0);
  const duplicated = (map: Map<string, number>) => accessions.filter((a) => (map.get(a) ?? 0) > 1).length;
  const line = {
    scenario: label,
    run,
    reports: accessions.length,
    enrichedRecords: total(counts.enriched),
    enrichedAccessionsWithDuplicates: duplicated(counts.enriched),
    oruRecords: total(counts.oru),
    oruAccessionsWithDuplicates: duplicated(counts.oru),
    deadLettered: deadLettered(run),
  };
  console.log(`[exactly-once] ${JSON.stringify(line)}`);
  return line;
}

function expectExactlyOnce(
  line: ReturnType<typeof summary>,
  counts: ReturnType<typeof countsOf>,
  accessions: string[],
): void {
  expect(line.deadLettered).toBe(0);
  expect(line.enrichedRecords).toBe(REPORTS);
  expect(line.oruRecords).toBe(REPORTS);
  for (const accession of accessions) {
    expect(counts.enriched.get(accession), accession).toBe(1);
    expect(counts.oru.get(accession), accession).toBe(1);
  }
}

describe('enricher + retrainer + writeback in one host, real broker, database and FHIR server', () => {
  let host: RunningHost | undefined;
  let proxy: TcpProxy | undefined;

  afterAll(async () => {
    await host?.close();
    await proxy?.stop();
  });

  it(`${REPORTS} reports in a burst: exactly one enriched record and one ORU per accession`, async () => {
    const run = randomUUID().slice(0, 8);
    const config = runConfig(run);
    await positionGroupsAtEnd(config);
    host = await startHost([enricherApp, writebackApp, retrainerApp], config, { processName: 'e2e-once' });
    const accessions = await publishFinalized(run);
    const counts = await settle(run, accessions, 240_000);
    const line = summary(run, 'no faults', accessions, counts);
    await host.close();
    host = undefined;
    expectExactlyOnce(line, counts, accessions);
    expect(await ledgerOf(run)).toEqual({ enricher: { done: REPORTS }, writeback: { done: REPORTS } });
  }, 360_000);

  it('PostgreSQL gone for a while mid-run: still exactly one of each, nothing lost', async () => {
    const run = randomUUID().slice(0, 8);
    const database = new URL(loadConfig().database.url);
    proxy = await TcpProxy.start({ host: database.hostname, port: Number(database.port || 5432) });
    const proxied = new URL(database);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const config = runConfig(run, { DATABASE_URL: proxied.toString() });
    await positionGroupsAtEnd(config);
    host = await startHost([enricherApp, writebackApp, retrainerApp], config, { processName: 'e2e-once-db' });
    const accessions = await publishFinalized(run);
    // Cut the database once part of the run is through, the way a restart does (connections dropped, then
    // refused), and bring it back a few seconds later.
    const deadline = Date.now() + 120_000;
    while (countsOf(run).oru.size < Math.ceil(REPORTS / 4) && Date.now() < deadline) await sleep(100);
    await proxy.cut();
    await sleep(6_000);
    await proxy.restore();
    const counts = await settle(run, accessions, 300_000);
    const line = summary(run, 'database cut mid-run', accessions, counts);
    await host.close();
    host = undefined;
    expectExactlyOnce(line, counts, accessions);
    expect(await ledgerOf(run)).toEqual({ enricher: { done: REPORTS }, writeback: { done: REPORTS } });
  }, 480_000);
});
