import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import { DeadLetterHeaders, Topics, deadLetterTopic, type ConsumedRecord } from '@radflow/events';
import { gatewayApp, MllpListener } from '@radflow/gateway';
import { splitHl7Batch } from '@radflow/hl7';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RunningHost } from '@radflow/platform';
import type { ReportFinalizedPayload } from '@radflow/schemas';
import { EventCollector } from '../support/event-collector.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';
import { sendOverMllp } from '../support/mllp-client.ts';
import { ledgerKey, waitForLedger } from './ingestion-support.ts';

/**
 * Every fixture of test/fixtures/hl7 and test/fixtures/fhir, posted to the gateway, must end as a finalized event
 * (the filter accepted it, per its .expected.json), a skip recorded by ingest, or a dead letter: none lost. Ids and
 * accessions get a per-run suffix so reruns against a long-lived broker are not deduplicated by ingest's ledger.
 * The test prints the rate through gateway → Kafka → ingest; it asserts no speed.
 */

const maxMessageBytes = 65_536; // every fixture is smaller; the oversized ones are padded past it
const concurrency = 8;
/** The corpus is sent this many times, each round with its own ids, so the rate is taken over a few seconds. */
const rounds = 3;
const config = loadConfig({
  ...process.env,
  KAFKA_GROUP_PREFIX: `e2e-corpus-${randomUUID()}`,
  // Fresh groups start at the topics' ends (positioned before they join): this test publishes only once its host is
  // up, and replaying what earlier runs left on the long-lived broker cost minutes per file.
  KAFKA_START_FROM: 'latest',
  GATEWAY_HTTP_PORT: '0',
  GATEWAY_MLLP_PORT: '0',
  INGEST_MAX_MESSAGE_BYTES: String(maxMessageBytes),
  LOG_LEVEL: 'warn',
});
const runTag = randomUUID().slice(0, 6);
/** Alphanumeric, so it never breaks an HL7 delimiter, a JSON string or a token boundary. */
const suffixOf = (round: number) => `R${runTag}${round}`;
const fixtures = new URL('../fixtures/', import.meta.url);
const hl7Dlq = deadLetterTopic(Topics.inboundHl7v2);
const fhirDlq = deadLetterTopic(Topics.inboundFhir);

interface ExpectedReports {
  outcome: 'reports';
  reports: Array<{ accession: string; reportId: string; source: { messageId: string } }>;
  filter: Array<{ accepted: boolean; code?: string }>;
  unresolved?: string[];
}
type ExpectedMessage = ExpectedReports | { outcome: 'error'; code: string };

/** What one posted fixture must become. */
interface Case {
  label: string;
  kind: 'hl7v2' | 'fhir';
  body: Buffer;
  /** Error codes of the dead letters the gateway writes. */
  deadLetters: string[];
  /** Accessions of the rad.report.finalized.v1 events. */
  finalized: string[];
  /** Ingest's ledger entry for each message it reads (accepted and skipped reports). */
  ledger: Array<{ key: string; accepted: number; skipped: number }>;
  skipped: number;
  /** Reports fetched from the FHIR server for an id-only notification. */
  fetched: number;
}

/** Appends the suffix to each id token, whole tokens only (ACC-F22 never touches ACC-F22B). */
function withSuffix(text: string, tokens: Iterable<string>, suffix: string): string {
  for (const token of new Set(tokens)) {
    if (!token || token.startsWith('sha256:')) continue;
    const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    text = text.replace(new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'g'), `${token}${suffix}`);
  }
  return text;
}
const idTokens = (m: ExpectedMessage) =>
  m.outcome === 'reports' ? m.reports.flatMap((r) => [r.accession, r.reportId, r.source.messageId]) : [];
const acceptedAccessions = (m: ExpectedReports, suffix: string) =>
  m.reports.filter((_, i) => m.filter[i]?.accepted).map((r) => `${r.accession}${suffix}`);
const skips = (m: ExpectedReports) => m.filter.filter((f) => !f.accepted).length;
const expectedOf = <T>(dir: string, file: string): T =>
  JSON.parse(
    readFileSync(new URL(`${dir}/${file.replace(/\.(hl7|json)$/, '.expected.json')}`, fixtures), 'utf8'),
  ) as T;
const blank = (label: string, kind: Case['kind'], body: Buffer): Case => ({
  label,
  kind,
  body,
  deadLetters: [],
  finalized: [],
  ledger: [],
  skipped: 0,
  fetched: 0,
});

function hl7Case(file: string, round: number): Case {
  const suffix = suffixOf(round);
  const expected = expectedOf<{ issues: string[]; messages: ExpectedMessage[] }>('hl7', file);
  const original = readFileSync(new URL(`hl7/${file}`, fixtures)).toString('latin1');
  const label = `${file} (round ${round})`;
  if (expected.messages.some((m) => m.outcome === 'error' && m.code === 'OVERSIZED')) {
    // Over the fixture's own (smaller) limit; padded past the host's limit so the gateway refuses it too.
    const padded = Buffer.from(`${original}NTE|1||${'x'.repeat(maxMessageBytes)}\r`, 'latin1');
    return { ...blank(label, 'hl7v2', padded), deadLetters: ['OVERSIZED'] };
  }
  const body = Buffer.from(withSuffix(original, expected.messages.flatMap(idTokens), suffix), 'latin1');
  const split = splitHl7Batch(body);
  expect(split.messages, label).toHaveLength(expected.messages.length);
  const result = { ...blank(label, 'hl7v2', body), deadLetters: [...expected.issues] };
  expected.messages.forEach((message, i) => {
    if (message.outcome === 'error') return void result.deadLetters.push(message.code);
    const accessions = acceptedAccessions(message, suffix);
    result.finalized.push(...accessions);
    result.skipped += skips(message);
    result.ledger.push({
      key: ledgerKey('hl7v2', split.messages[i]!),
      accepted: accessions.length,
      skipped: skips(message),
    });
  });
  return result;
}

/** A DiagnosticReport on the FHIR server for the id-only notification to name. */
async function reportOnFhirServer(suffix: string): Promise<{ reference: string; accession: string }> {
  const accession = `ACC-F25${suffix}`;
  const response = await fetch(`${config.fhir.baseUrl}/DiagnosticReport`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json' },
    body: JSON.stringify({
      resourceType: 'DiagnosticReport',
      status: 'final',
      identifier: [
        {
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] },
          value: accession,
        },
      ],
      code: { coding: [{ system: 'http://loinc.org', code: '36643-5', display: 'XR Chest 2 Views' }] },
      subject: { identifier: { system: 'urn:e2e:mrn', value: `MRN25${suffix}` } },
      presentedForm: [
        { contentType: 'text/plain', data: Buffer.from('IMPRESSION: No acute disease.').toString('base64') },
      ],
    }),
  });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: string };
  return { reference: `${config.fhir.baseUrl}/DiagnosticReport/${id}`, accession };
}

function fhirCase(file: string, round: number, named: { reference: string; accession: string }): Case {
  const suffix = suffixOf(round);
  const expected = expectedOf<ExpectedMessage>('fhir', file);
  const original = readFileSync(new URL(`fhir/${file}`, fixtures)).toString('latin1');
  const label = `${file} (round ${round})`;
  if (expected.outcome === 'error') {
    const body =
      expected.code === 'OVERSIZED'
        ? Buffer.from(`${original}${' '.repeat(maxMessageBytes)}`, 'latin1') // still valid JSON, now too big
        : Buffer.from(original, 'latin1');
    return { ...blank(label, 'fhir', body), deadLetters: [expected.code] };
  }
  const rootId = (JSON.parse(original) as { id?: string }).id;
  let text = withSuffix(original, [...idTokens(expected), ...(rootId ? [rootId] : [])], suffix);
  if (expected.unresolved?.length) {
    expect(expected.unresolved, label).toHaveLength(1);
    text = text.replace(expected.unresolved[0]!, named.reference);
    return { ...blank(label, 'fhir', Buffer.from(text, 'latin1')), finalized: [named.accession], fetched: 1 };
  }
  const body = Buffer.from(text, 'latin1');
  const accessions = acceptedAccessions(expected, suffix);
  return {
    ...blank(label, 'fhir', body),
    finalized: accessions,
    skipped: skips(expected),
    ledger: [{ key: ledgerKey('fhir', body), accepted: accessions.length, skipped: skips(expected) }],
  };
}

let host: RunningHost;
let collector: EventCollector;

beforeAll(async () => {
  collector = await EventCollector.start([Topics.reportFinalized, hl7Dlq, fhirDlq]);
  host = await startHost([gatewayApp, ingestApp], config);
  // Warm up: ingest's new consumer group has joined and caught up with the topic before the clock starts.
  const warmUp = uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}w`);
  expect(await sendOverMllp(host.app.get(MllpListener).port, warmUp.bytes)).toContain('MSA|AA');
  await collector.waitFor(
    (r) => r.topic === Topics.reportFinalized && r.value!.toString().includes(warmUp.accession),
  );
});

afterAll(async () => {
  await host?.close();
  await collector?.stop();
});

async function post(c: Case): Promise<{ traceId: string; status: number }> {
  const hl7 = c.kind === 'hl7v2';
  const response = await fetch(`http://127.0.0.1:${host.httpPort}${hl7 ? '/v1/hl7' : '/fhir/notify'}`, {
    method: 'POST',
    headers: { 'content-type': hl7 ? 'x-application/hl7-v2+er7' : 'application/fhir+json' },
    body: c.body,
  });
  await response.arrayBuffer();
  // Every record the gateway writes for a body carries its request trace id, or `<id>:<n>` for its parts.
  return {
    traceId: response.headers.get('radflow-trace-id')!.split(',')[0]!.split(':')[0]!,
    status: response.status,
  };
}

describe('the fixture corpus through gateway → Kafka → ingest', () => {
  it('ends every fixture as a finalized event, a recorded skip or a dead letter: none lost', async () => {
    const hl7Files = readdirSync(new URL('hl7/', fixtures))
      .filter((f) => f.endsWith('.hl7'))
      .sort();
    const fhirFiles = readdirSync(new URL('fhir/', fixtures))
      .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
      .sort();
    expect(hl7Files.length).toBeGreaterThanOrEqual(40);
    expect(fhirFiles.length).toBeGreaterThanOrEqual(20);
    const cases: Case[] = [];
    for (let round = 1; round <= rounds; round++) {
      const named = await reportOnFhirServer(suffixOf(round));
      cases.push(
        ...hl7Files.map((f) => hl7Case(f, round)),
        ...fhirFiles.map((f) => fhirCase(f, round, named)),
      );
    }

    // Post them all, a few at a time, as interface engines would.
    const answers = new Map<Case, { traceId: string; status: number }>();
    const started = performance.now();
    const queue = [...cases];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) answers.set(next, await post(next));
      }),
    );
    const answered = performance.now();

    // Wait until every record each body must produce is seen, and ingest's ledger holds every message it read.
    const caseOfTrace = new Map([...answers].map(([c, answer]) => [answer.traceId, c]));
    const recordsOf = new Map<Case, ConsumedRecord[]>(cases.map((c) => [c, []]));
    let scanned = 0;
    const collect = () => {
      for (; scanned < collector.records.length; scanned++) {
        const record = collector.records[scanned]!;
        const owner = caseOfTrace.get((record.headers['radflow-trace-id'] ?? '').split(':')[0]!);
        if (owner) recordsOf.get(owner)!.push(record);
      }
      return [...recordsOf.values()].reduce((n, records) => n + records.length, 0);
    };
    const expectedRecords = cases.reduce((n, c) => n + c.deadLetters.length + c.finalized.length, 0);
    const deadline = Date.now() + 60_000;
    while (collect() < expectedRecords && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const ledgerKeys = cases.flatMap((c) => c.ledger.map((l) => l.key));
    const ledger = await waitForLedger(host.app, ledgerKeys, Math.max(1_000, deadline - Date.now()));
    const settled = performance.now();
    collect();

    for (const c of cases) {
      const { status } = answers.get(c)!;
      if (c.deadLetters.length === 0) expect(status, c.label).toBe(c.kind === 'hl7v2' ? 200 : 202);
      else expect([400, 413, 415, 422], c.label).toContain(status);
      const records = recordsOf.get(c)!;
      const deadLetters = records.filter((r) => r.topic === hl7Dlq || r.topic === fhirDlq);
      expect(deadLetters.map((r) => r.headers[DeadLetterHeaders.errorCode]).sort(), c.label).toEqual(
        [...c.deadLetters].sort(),
      );
      const finalized = records
        .filter((r) => r.topic === Topics.reportFinalized)
        .map((r) => collector.bus.decodeEvent<ReportFinalizedPayload>(r).payload.report.accession);
      expect(finalized.sort(), c.label).toEqual([...c.finalized].sort());
      for (const entry of c.ledger) {
        expect(ledger.get(entry.key), c.label).toMatchObject({
          accepted: entry.accepted,
          skipped: entry.skipped,
        });
      }
    }

    const total = (pick: (c: Case) => number) => cases.reduce((n, c) => n + pick(c), 0);
    const finalizedCount = total((c) => c.finalized.length);
    const skippedCount = total((c) => c.skipped);
    const deadLetterCount = total((c) => c.deadLetters.length);
    // Messages the gateway wrote: each one ingest read (ledger), each fetched report, each dead letter.
    const messages = total((c) => c.ledger.length + c.fetched + c.deadLetters.length);
    const gatewaySeconds = (answered - started) / 1000;
    const endToEndSeconds = (settled - started) / 1000;
    console.log(
      [
        `fixture corpus: ${hl7Files.length} HL7 + ${fhirFiles.length} FHIR files × ${rounds} rounds = ${cases.length} posts, ${messages} messages`,
        `  reports finalized ${finalizedCount}, skipped by the filter ${skippedCount}, dead-lettered ${deadLetterCount}, lost 0`,
        `  gateway answered every post in ${gatewaySeconds.toFixed(2)} s: ${(messages / gatewaySeconds).toFixed(1)} messages/s (${concurrency} concurrent posts)`,
        `  gateway → Kafka → ingest → finalized / skipped / DLQ, all seen in ${endToEndSeconds.toFixed(2)} s: ` +
          `${(messages / endToEndSeconds).toFixed(1)} messages/s, ${(finalizedCount / endToEndSeconds).toFixed(1)} finalized reports/s`,
      ].join('\n'),
    );
    expect(finalizedCount).toBeGreaterThanOrEqual(40 * rounds);
    expect(skippedCount).toBeGreaterThan(0);
    expect(deadLetterCount).toBeGreaterThan(0);
  });
});
