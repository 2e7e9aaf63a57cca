import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPath, loadConfig } from '@radflow/config';
import { DeadLetterHeaders, Topics, deadLetterTopic, type ConsumedRecord } from '@radflow/events';
import { GatewayHeaders, gatewayApp, MllpListener, TRUNCATED_DEAD_LETTER_BYTES } from '@radflow/gateway';
import { frameMllp } from '@radflow/hl7';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RunningHost } from '@radflow/platform';
import type { ReportFinalizedPayload } from '@radflow/schemas';
import { EventCollector } from '../support/event-collector.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';
import { sendOverMllp } from '../support/mllp-client.ts';
import { captureLogs, ledgerKey, waitForLedger } from './ingestion-support.ts';

const maxMessageBytes = 65_536;
const environment = {
  ...process.env,
  GATEWAY_HTTP_PORT: '0',
  GATEWAY_MLLP_PORT: '0',
  INGEST_MAX_MESSAGE_BYTES: String(maxMessageBytes),
  // Fresh groups start at the topics' ends (positioned before they join): this test publishes only once its host is
  // up, and replaying what earlier runs left on the long-lived broker cost minutes per file.
  KAFKA_START_FROM: 'latest',
  LOG_LEVEL: 'info',
};
const config = loadConfig({ ...environment, KAFKA_GROUP_PREFIX: `e2e-ingestion-${randomUUID()}` });
const fhirBase = config.fhir.baseUrl;
const runTag = randomUUID().slice(0, 8);
const finalizedTopic = Topics.reportFinalized;
const hl7Dlq = deadLetterTopic(Topics.inboundHl7v2);
const fhirDlq = deadLetterTopic(Topics.inboundFhir);

let host: RunningHost;
let collector: EventCollector;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  collector = await EventCollector.start([finalizedTopic, hl7Dlq, fhirDlq]);
  host = await startHost([gatewayApp, ingestApp], config);
  logs = captureLogs(host.app);
});

afterAll(async () => {
  logs?.stop();
  await host?.close();
  await collector?.stop();
});

const mllpPort = () => host.app.get(MllpListener).port;
const url = (path: string) => `http://127.0.0.1:${host.httpPort}${path}`;
const traced = (topic: string, traceId: string) => (r: ConsumedRecord) =>
  r.topic === topic && r.headers['radflow-trace-id'] === traceId;
const finalizedWith = async (predicate: (r: ConsumedRecord) => boolean, count = 1) =>
  (
    await collector.waitFor((r) => r.topic === finalizedTopic && predicate(r), { count, timeoutMs: 45_000 })
  ).map((record) => collector.bus.decodeEvent<ReportFinalizedPayload>(record));
const finalizedForAccession = (accession: string) =>
  finalizedWith((r) => r.value!.toString().includes(`"accession":"${accession}"`)).then(([event]) => event!);
const deadLetterOf = async (topic: string, predicate: (r: ConsumedRecord) => boolean) =>
  (await collector.waitFor((r) => r.topic === topic && predicate(r), { timeoutMs: 30_000 }))[0]!;
const postFhir = (body: string | Buffer, contentType = 'application/fhir+json', path = '/fhir/notify') =>
  fetch(url(path), { method: 'POST', headers: { 'content-type': contentType }, body });
const postHl7 = (body: Buffer) =>
  fetch(url('/v1/hl7'), { method: 'POST', headers: { 'content-type': 'x-application/hl7-v2+er7' }, body });
const segments = (ack: string) => ack.split('\r').filter(Boolean);

/** A demo message turned into another type or cut short, to be refused. */
function asWrongType(sample: { bytes: Buffer }): Buffer {
  const text = sample.bytes.toString('latin1');
  if (!/\|ORU\^R01[|^]/.test(text)) throw new Error('sample has no ORU^R01 in MSH-9');
  return Buffer.from(text.replace(/\|ORU\^R01(\^ORU_R01)?\|/, '|ADT^A01|'), 'latin1');
}
function cutBeforeObr(sample: { bytes: Buffer }): Buffer {
  const text = sample.bytes.toString('latin1');
  return Buffer.from(text.slice(0, text.indexOf('\rOBR|') + 1), 'latin1');
}

describe('HL7 over MLLP → rad.report.finalized.v1 on the real broker', () => {
  it('acknowledges a chest X-ray AA and finalizes it with its accession', async () => {
    const sample = uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}a`);
    const ack = await sendOverMllp(mllpPort(), sample.bytes);
    expect(ack).toMatch(new RegExp(`MSA\\|AA\\|${sample.controlId}(\\r|$)`));
    const event = await finalizedForAccession(sample.accession);
    expect(event.type).toBe('rad.report.finalized');
    expect(event.sourceMessageId).toBe(sample.controlId);
    expect(event.payload.report.accession).toBe(sample.accession);
    expect(event.payload.report.status).toBe('final');
    expect(event.payload.report.source.kind).toBe('hl7v2');
  });

  it('finalizes once a message sent three times at once (a resend after an answer lost to a broker failure)', async () => {
    // The copies are coalesced into one gateway send, side by side in one partition, so ingest reads them in one
    // micro-batch: the case in which the cluster soak once finalized a report twice (issue 14).
    const sample = uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}r`);
    const acks = await Promise.all([1, 2, 3].map(() => sendOverMllp(mllpPort(), sample.bytes)));
    for (const ack of acks) expect(ack).toMatch(new RegExp(`MSA\\|AA\\|${sample.controlId}(\\r|$)`));
    await finalizedForAccession(sample.accession);
    // Later copies would follow within the commit window; wait well past it before counting.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const finalized = collector.records.filter(
      (r) => r.topic === finalizedTopic && r.value!.toString().includes(`"accession":"${sample.accession}"`),
    );
    expect(finalized).toHaveLength(1);
  });

  it('acknowledges a head CT AA, finalizes nothing, and ingest records and logs the skip', async () => {
    const sample = uniqueHl7Sample('05-ct-head-not-cxr.hl7', `${runTag}b`);
    const ack = await sendOverMllp(mllpPort(), sample.bytes);
    expect(ack).toMatch(new RegExp(`MSA\\|AA\\|${sample.controlId}`));
    const ledger = await waitForLedger(host.app, [ledgerKey('hl7v2', sample.bytes)]);
    expect(ledger.get(ledgerKey('hl7v2', sample.bytes))).toEqual({
      accepted: 0,
      skipped: 1,
      skipCodes: ['NOT_CHEST_XRAY'],
    });
    expect(
      logs.lines.some(
        (l) => l.msg === 'report skipped' && l.code === 'NOT_CHEST_XRAY' && l.stage === 'ingest',
      ),
    ).toBe(true);
    // The skip log carries hashes and codes only: never the accession or the report.
    expect(JSON.stringify(logs.lines.filter((l) => l.msg === 'report skipped'))).not.toContain(
      sample.accession,
    );
    // A good message sent after it is finalized; the head CT never is.
    const after = uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}c`);
    await sendOverMllp(mllpPort(), after.bytes);
    await finalizedForAccession(after.accession);
    expect(
      collector.records.some(
        (r) => r.topic === finalizedTopic && r.value!.toString().includes(sample.accession),
      ),
    ).toBe(false);
  });

  it.each([
    ['a wrong message type', 'AR', 'WRONG_MESSAGE_TYPE', asWrongType],
    ['a message without its OBR', 'AE', 'MISSING_SEGMENT', cutBeforeObr],
  ] as const)(
    'answers %s %s with ERR and dead-letters its original bytes',
    async (_, ackCode, code, spoil) => {
      const sample = uniqueHl7Sample('02-pneumothorax-stat.hl7', `${runTag}${ackCode}`);
      const bad = spoil(sample);
      const ack = await sendOverMllp(mllpPort(), bad);
      expect(segments(ack)[1]).toMatch(new RegExp(`^MSA\\|${ackCode}\\|${sample.controlId}\\|`));
      expect(segments(ack).some((s) => s.startsWith('ERR|'))).toBe(true);
      const deadLetter = await deadLetterOf(hl7Dlq, (r) => r.value?.equals(bad) === true);
      expect(deadLetter.headers[DeadLetterHeaders.errorCode]).toBe(code);
      expect(deadLetter.headers[DeadLetterHeaders.errorReason]!.length).toBeGreaterThan(5);
      expect(deadLetter.headers[DeadLetterHeaders.stage]).toBe('gateway');
      expect(deadLetter.headers[DeadLetterHeaders.sourceTopic]).toBe(Topics.inboundHl7v2);
    },
  );

  it('dead-letters what a sender sent before hanging up mid-frame', async () => {
    const partial = cutBeforeObr(uniqueHl7Sample('03-icu-lines-first.hl7', `${runTag}d`));
    await new Promise<void>((resolve, reject) => {
      const socket = connect(mllpPort(), '127.0.0.1', () => {
        const framed = frameMllp(partial);
        socket.end(framed.subarray(0, framed.length - 2)); // no end block
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    const deadLetter = await deadLetterOf(hl7Dlq, (r) => r.value?.equals(partial) === true);
    expect(deadLetter.headers[DeadLetterHeaders.errorCode]).toBe('TRUNCATED');
  });
  it('answers an oversized frame AR and dead-letters its first part', async () => {
    const sample = uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}l`);
    const big = Buffer.concat([
      sample.bytes,
      Buffer.from(`NTE|1||${'z'.repeat(maxMessageBytes)}\r`, 'latin1'),
    ]);
    const ack = await sendOverMllp(mllpPort(), big);
    expect(segments(ack)[1]).toMatch(new RegExp(`^MSA\\|AR\\|${sample.controlId}\\|`));
    // The listener keeps what it had buffered when the frame crossed the limit: a prefix, never more than the limit.
    const isPrefix = (value: Buffer | null) =>
      !!value &&
      value.length > 0 &&
      value.length <= maxMessageBytes &&
      big.subarray(0, value.length).equals(value);
    const deadLetter = await deadLetterOf(
      hl7Dlq,
      (r) => isPrefix(r.value) && r.value!.includes(sample.controlId),
    );
    expect(deadLetter.headers[DeadLetterHeaders.errorCode]).toBe('OVERSIZED');
  });
});

describe('FHIR rest hook → rad.report.finalized.v1', () => {
  const usCore = readFileSync(
    dataPath('interop/fhir/uscore_DiagnosticReport-chest-xray-report.json'),
    'utf8',
  );

  it.each(['application/fhir+json', 'application/json'])(
    'answers 202 to the US Core chest X-ray (%s) and finalizes it',
    async (contentType) => {
      const id = `chest-xray-report-${runTag}-${contentType.length}`;
      const body = usCore.replace('"id": "chest-xray-report"', `"id": "${id}"`);
      expect(body).toContain(id);
      const response = await postFhir(body, contentType);
      expect(response.status).toBe(202);
      const traceId = response.headers.get('radflow-trace-id')!;
      expect(await response.json()).toEqual({ accepted: true, traceId });
      const [event] = await finalizedWith(traced(finalizedTopic, traceId));
      expect(event!.payload.report.accession).toBe(id);
      expect(event!.payload.report.source).toMatchObject({
        kind: 'fhir',
        fhirReference: `DiagnosticReport/${id}`,
      });
      expect(event!.payload.report.sections.impression).toMatch(/no acute abnormality/i);
    },
  );

  it.each(['application/fhir+json', 'application/json'])(
    'answers invalid JSON (%s) 400 with an OperationOutcome and dead-letters the bytes sent',
    async (contentType) => {
      const body = `{"resourceType":"DiagnosticReport","id":"broken-${runTag}","status":"final",`;
      const response = await postFhir(body, contentType, '/v1/fhir');
      expect(response.status).toBe(400);
      const outcome = (await response.json()) as {
        resourceType: string;
        issue: Array<{ details: { text: string } }>;
      };
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue[0]!.details.text).toMatch(/^INVALID_JSON: /);
      const deadLetter = await deadLetterOf(
        fhirDlq,
        traced(fhirDlq, response.headers.get('radflow-trace-id')!),
      );
      expect(deadLetter.value!.toString('utf8')).toBe(body);
      expect(deadLetter.headers[DeadLetterHeaders.errorCode]).toBe('INVALID_JSON');
    },
  );

  it('fetches the report an id-only notification names from the FHIR server, with its patient, and finalizes it', async () => {
    const create = async (resource: Record<string, unknown>) => {
      const response = await fetch(`${fhirBase}/${resource.resourceType as string}`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(resource),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const mrn = `MRN-${runTag}`;
    const accession = `ACC-IDONLY-${runTag}`;
    const patientId = await create({
      resourceType: 'Patient',
      identifier: [
        {
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
          system: 'urn:e2e:mrn',
          value: mrn,
        },
      ],
    });
    const reportText =
      'FINDINGS: Lungs are clear. No pleural effusion.\nIMPRESSION: No acute cardiopulmonary process.';
    const reportId = await create({
      resourceType: 'DiagnosticReport',
      status: 'final',
      identifier: [
        {
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] },
          value: accession,
        },
      ],
      code: { coding: [{ system: 'http://loinc.org', code: '36643-5', display: 'XR Chest 2 Views' }] },
      subject: { reference: `Patient/${patientId}` },
      issued: '2025-03-01T10:00:00Z',
      presentedForm: [{ contentType: 'text/plain', data: Buffer.from(reportText).toString('base64') }],
    });
    const notification = readFileSync(
      new URL('../fixtures/fhir/notification-id-only.json', import.meta.url),
      'utf8',
    )
      .replace('"id": "notification-25"', `"id": "notification-${runTag}"`)
      .replace('https://ehr.example/fhir/DiagnosticReport/dr-25', `${fhirBase}/DiagnosticReport/${reportId}`);
    const response = await postFhir(notification);
    expect(response.status).toBe(202);
    const traceId = response.headers.get('radflow-trace-id')!;
    const [event] = await finalizedWith(traced(finalizedTopic, traceId));
    const report = event!.payload.report;
    expect(report.accession).toBe(accession);
    expect(report.source.fhirReference).toBe(`DiagnosticReport/${reportId}`);
    expect(report.patient).toMatchObject({
      fhirReference: `Patient/${patientId}`,
      identifier: { system: 'urn:e2e:mrn', value: mrn },
    });
    expect(report.sections.impression).toBe('No acute cardiopulmonary process.');
  });

  it('dead-letters a notification naming a report the FHIR server does not have (422)', async () => {
    const notification = readFileSync(
      new URL('../fixtures/fhir/notification-id-only.json', import.meta.url),
      'utf8',
    )
      .replace('"id": "notification-25"', `"id": "notification-missing-${runTag}"`)
      .replace('dr-25', `missing-${runTag}`);
    const response = await postFhir(notification);
    expect(response.status).toBe(422);
    const deadLetter = await deadLetterOf(
      fhirDlq,
      traced(fhirDlq, response.headers.get('radflow-trace-id')!),
    );
    expect(deadLetter.value!.toString('utf8')).toBe(notification);
    expect(deadLetter.headers[DeadLetterHeaders.errorCode]).toBe('FHIR_REFERENCE_NOT_FOUND');
  });
});

describe('HTTP POST /v1/hl7 with several messages', () => {
  it('acknowledges each message of a body in order, stores the good ones, dead-letters the bad one, worst status', async () => {
    const first = uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}e`);
    const wrong = asWrongType(uniqueHl7Sample('02-pneumothorax-stat.hl7', `${runTag}f`));
    const third = uniqueHl7Sample('04-icu-lines-followup.hl7', `${runTag}g`);
    const response = await postHl7(Buffer.concat([first.bytes, wrong, third.bytes]));
    expect(response.status).toBe(422);
    const traceIds = response.headers.get('radflow-trace-id')!.split(',');
    expect(traceIds).toHaveLength(3);
    const msa = segments(await response.text()).filter((s) => s.startsWith('MSA|'));
    expect(msa.map((s) => s.split('|')[1])).toEqual(['AA', 'AR', 'AA']);
    expect(msa[0]).toContain(first.controlId);
    expect(msa[2]).toContain(third.controlId);
    const [firstEvent] = await finalizedWith(traced(finalizedTopic, traceIds[0]!));
    const [thirdEvent] = await finalizedWith(traced(finalizedTopic, traceIds[2]!));
    expect(firstEvent!.payload.report.accession).toBe(first.accession);
    expect(thirdEvent!.payload.report.accession).toBe(third.accession);
    const deadLetter = await deadLetterOf(hl7Dlq, traced(hl7Dlq, traceIds[1]!));
    expect(deadLetter.value!.equals(wrong)).toBe(true);
  });

  it('stores the messages of a batch whose trailer says some were lost, and dead-letters the batch with TRUNCATED', async () => {
    const one = uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}h`);
    const two = uniqueHl7Sample('03-icu-lines-first.hl7', `${runTag}i`);
    const body = Buffer.concat([
      Buffer.from('FHS|^~\\&|PSCRIBE|GENHOSP\rBHS|^~\\&|PSCRIBE|GENHOSP\r', 'latin1'),
      one.bytes,
      two.bytes,
      Buffer.from('BTS|3\rFTS|1\r', 'latin1'),
    ]);
    const response = await postHl7(body);
    expect(response.status).toBe(400);
    expect(response.headers.get('radflow-batch-issues')).toMatch(
      /^TRUNCATED: BTS-1 declares 3 messages, the batch holds 2/,
    );
    const msa = segments(await response.text()).filter((s) => s.startsWith('MSA|'));
    expect(msa.map((s) => s.split('|')[1])).toEqual(['AA', 'AA']);
    const [requestTrace] = response.headers.get('radflow-trace-id')!.split(',')[0]!.split(':');
    await finalizedForAccession(one.accession);
    await finalizedForAccession(two.accession);
    const deadLetter = await deadLetterOf(hl7Dlq, traced(hl7Dlq, `${requestTrace}:batch1`));
    expect(deadLetter.value!.equals(body)).toBe(true);
    expect(deadLetter.headers[DeadLetterHeaders.errorCode]).toBe('TRUNCATED');
  });

  it('answers an oversized body 413 and dead-letters all of it, with its size', async () => {
    const sample = uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}j`);
    const padding = Buffer.from(`NTE|1||${'x'.repeat(maxMessageBytes)}\r`, 'latin1');
    const body = Buffer.concat([sample.bytes, padding]);
    const response = await postHl7(body);
    expect(response.status).toBe(413);
    expect(segments(await response.text())[1]).toMatch(new RegExp(`^MSA\\|AR\\|${sample.controlId}\\|`));
    const deadLetter = await deadLetterOf(hl7Dlq, traced(hl7Dlq, response.headers.get('radflow-trace-id')!));
    expect(deadLetter.value!.equals(body)).toBe(true);
    expect(deadLetter.headers[DeadLetterHeaders.errorCode]).toBe('OVERSIZED');
    expect(deadLetter.headers[GatewayHeaders.originalBytes]).toBe(String(body.length));
    expect(deadLetter.headers[GatewayHeaders.valueTruncated]).toBe('false');
  });
});

describe('a gateway on its own, with the default message limit and no FHIR server', () => {
  let gatewayOnly: RunningHost;
  beforeAll(async () => {
    const { INGEST_MAX_MESSAGE_BYTES: _, ...defaults } = environment;
    gatewayOnly = await startHost(
      [gatewayApp],
      loadConfig({
        ...defaults,
        LOG_LEVEL: 'error',
        KAFKA_GROUP_PREFIX: `e2e-gateway-only-${runTag}`,
        FHIR_BASE_URL: 'http://127.0.0.1:1/fhir/R4',
        FHIR_TIMEOUT_MS: '2000',
      }),
    );
  });
  afterAll(() => gatewayOnly?.close());
  const post = (path: string, body: Buffer | string, contentType: string) =>
    fetch(`http://127.0.0.1:${gatewayOnly.httpPort}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

  it('answers 503 with Retry-After, and writes nothing, when the FHIR server cannot be reached', async () => {
    const notification = readFileSync(
      new URL('../fixtures/fhir/notification-id-only.json', import.meta.url),
      'utf8',
    );
    const response = await post('/fhir/notify', notification, 'application/fhir+json');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('30');
    const outcome = (await response.json()) as { issue: Array<{ code: string; details: { text: string } }> };
    expect(outcome.issue[0]).toMatchObject({
      code: 'transient',
      details: { text: 'FHIR_FETCH_FAILED: FHIR server unreachable' },
    });
    const traceId = response.headers.get('radflow-trace-id')!;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(collector.records.some((r) => r.headers['radflow-trace-id'] === traceId)).toBe(false);
  });

  it('keeps the first part of an oversized body the broker refuses whole, marked truncated, with its size', async () => {
    const sample = uniqueHl7Sample('01-normal-pa-lateral.hl7', `${runTag}k`);
    const body = Buffer.concat([sample.bytes, Buffer.from(`NTE|1||${'y'.repeat(1_200_000)}\r`, 'latin1')]);
    const response = await post('/v1/hl7', body, 'x-application/hl7-v2+er7');
    expect(response.status).toBe(413);
    const deadLetter = await deadLetterOf(hl7Dlq, traced(hl7Dlq, response.headers.get('radflow-trace-id')!));
    expect(deadLetter.value!.length).toBe(TRUNCATED_DEAD_LETTER_BYTES);
    expect(deadLetter.value!.equals(body.subarray(0, TRUNCATED_DEAD_LETTER_BYTES))).toBe(true);
    expect(deadLetter.headers[GatewayHeaders.originalBytes]).toBe(String(body.length));
    expect(deadLetter.headers[GatewayHeaders.valueTruncated]).toBe('true');
    expect(deadLetter.headers[DeadLetterHeaders.errorCode]).toBe('OVERSIZED');
  });
});
