/**
 * Every kind of HL7 v2 message radflow builds, for the conformance test that reads them with independent
 * parsers (hl7apy, HAPI): the outbound AI-results ORU^R01 in its variants, and the ACK/NAK the gateway answers
 * each inbound message with (built the way apps/gateway builds them: AA once stored, the reader's AE/AR with ERR
 * for unreadable input, a bare AR when Kafka is down). The test fixtures hold synthetic patients only.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { InboundMessageError } from '@radflow/reports';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { buildAck } from './ack.ts';
import { splitHl7Batch } from './batch.ts';
import { ackCodeOf } from './inbound-error-ack.ts';
import { MllpDeframer, MLLP_END, MLLP_START } from './mllp.ts';
import { readOruR01, type ReadOruOptions } from './oru-reader.ts';
import { buildAiResultsOru } from './write/ai-results-oru.ts';

export const ACK_TIME = new Date(Date.UTC(2024, 4, 6, 7, 8, 9));

export function enrichedSample(
  overrides: Partial<ReportEnrichedPayload['enrichment']> = {},
): ReportEnrichedPayload {
  return {
    report: {
      source: { kind: 'hl7v2', messageId: 'MSG-9', sendingApplication: 'RIS', sendingFacility: 'GENHOSP' },
      reportId: 'F-555',
      reportVersion: 'F:20240301101500',
      accession: 'ACC-1001',
      patient: {
        key: 'a1b2c3d4e5f60718',
        identifier: { system: 'urn:oid:1.2.3.4.5', value: 'MRN-77' },
        name: { family: 'SYNTHETIC', given: ['PATIENT', 'A'] },
      },
      procedure: { code: '36643-5', system: 'http://loinc.org', text: 'XR Chest 2 Views' },
      status: 'final',
      observedAt: '2024-03-01T09:55:00Z',
      reportedAt: '2024-03-01T10:15:00Z',
      text: 'report text',
      sections: {},
      unusedContent: [],
    },
    enrichment: {
      status: 'preliminary',
      aiGenerated: true,
      model: { name: 'radflow-cxr-small', version: '0.3.1' },
      degraded: false,
      draftImpression: 'Small right apical pneumothorax.\nNo effusion.',
      abnormalities: [
        { label: 'pneumothorax', state: 'present', source: 'model' },
        { label: 'pleural effusion', state: 'absent', source: 'model' },
        { label: 'edema', state: 'uncertain', source: 'rules' },
      ],
      devices: [{ label: 'chest tube', state: 'present', source: 'rules' }],
      priority: { level: 'stat', reasons: ['pneumothorax present', 'new since prior'] },
      generatedAt: '2024-03-01T10:15:04.250Z',
      ...overrides,
    },
  };
}

export interface BuiltOru {
  name: string;
  input: ReportEnrichedPayload;
  text: string;
}

/** The outbound ORU^R01 in each of its variants. */
export function builtOrus(): BuiltOru[] {
  const cases: Array<[string, ReportEnrichedPayload]> = [];
  cases.push(['oru-full', enrichedSample()]);
  cases.push([
    'oru-degraded',
    enrichedSample({ degraded: true, model: { name: 'radflow-rules', version: '1.0.0' } }),
  ]);
  // The enricher's draft check changed the draft: one more note, naming each change.
  const checked = enrichedSample({
    rulesVersion: 'radflow-rules@1.1.0',
    draftImpressionEdits: [
      { kind: 'critical-finding-added', reason: 'endotracheal tube malpositioned (mainstem bronchus)' },
      { kind: 'unsupported-finding-removed', label: 'pneumonia' },
    ],
  });
  cases.push(['oru-draft-checked', checked]);
  const anonymous = enrichedSample();
  delete anonymous.report.patient.identifier;
  delete anonymous.report.patient.name;
  cases.push(['oru-patient-key-only', anonymous]);
  const fromFhir = enrichedSample({ priority: { level: 'routine', reasons: [] } });
  fromFhir.report.source = { kind: 'fhir', messageId: 'dr-1', fhirReference: 'DiagnosticReport/dr-1' };
  fromFhir.report.patient.identifier = { system: 'http://hospital.example/mrn', value: 'MRN-88' };
  fromFhir.report.procedure = {};
  delete fromFhir.report.patient.name;
  cases.push(['oru-from-fhir', fromFhir]);
  const nasty = 'a|b^c&d~e\\f';
  const escaped = enrichedSample({
    draftImpression: `Impression ${nasty}`,
    abnormalities: [{ label: `label ${nasty}`, state: 'present', source: 'model' }],
    devices: [],
    priority: { level: 'urgent', reasons: [`reason ${nasty}`] },
  });
  escaped.report.accession = `ACC ${nasty}`;
  escaped.report.patient.identifier = { system: 'LOCAL&AUTH', value: `MRN ${nasty}` };
  escaped.report.patient.name = {
    family: `O'Test ${nasty}`,
    given: ['Ann', 'B', 'C'],
    suffix: 'Jr',
    prefix: 'Dr',
  };
  cases.push(['oru-escapes', escaped]);
  return cases.map(([name, input]) => ({ name, input, text: buildAiResultsOru(input) }));
}

/** MSH-12 values of the per-version ACK cases: every published v2 version, and some no parser knows. */
export const ACK_TEST_VERSIONS = [
  '2.1',
  '2.2',
  '2.3',
  '2.3.1',
  '2.4',
  '2.5',
  '2.5.1',
  '2.6',
  '2.7',
  '2.7.1',
  '2.8',
  '2.8.1',
  '2.8.2',
  '2.9',
  '3.0',
  '',
];

export type AckKind = 'accepted' | 'refused' | 'broker-down' | 'dead-letter-failed';

export interface BuiltAck {
  name: string;
  kind: AckKind;
  /** The inbound message (or bytes) acknowledged. */
  original: Uint8Array;
  error?: InboundMessageError;
  text: string;
}

const corpusDir = new URL('../../../test/fixtures/hl7/', import.meta.url);
const demoDir = new URL('../../../test/fixtures/demo/', import.meta.url);
const SALT = 'conformance-salt';

interface CorpusFile {
  name: string;
  bytes: Uint8Array;
  options: ReadOruOptions;
}

function corpus(): CorpusFile[] {
  const files: CorpusFile[] = [];
  for (const dir of [corpusDir, demoDir]) {
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.hl7'))
      .sort()) {
      let options: ReadOruOptions = { patientKeySalt: SALT, maxBytes: 1_048_576 };
      try {
        const expected = JSON.parse(
          readFileSync(new URL(file.replace(/\.hl7$/, '.expected.json'), dir), 'utf8'),
        ) as { readOptions?: ReadOruOptions };
        if (expected.readOptions) options = expected.readOptions;
      } catch {
        // demo fixtures have no expected outcome: the gateway's default limits apply.
      }
      files.push({
        name: file.replace(/\.hl7$/, ''),
        bytes: new Uint8Array(readFileSync(new URL(file, dir))),
        options,
      });
    }
  }
  return files;
}

/**
 * The ACK the gateway answers each message of every fixture file with, plus the batch-level NAKs, the NAKs for
 * broken MLLP framing and the bare AR it answers when Kafka is down.
 */
export function builtAcks(now: Date = ACK_TIME): BuiltAck[] {
  const acks: BuiltAck[] = [];
  const add = (name: string, kind: AckKind, original: Uint8Array, error?: InboundMessageError) => {
    const code =
      kind === 'accepted' ? 'AA' : kind === 'refused' ? (error ? ackCodeOf(error.code) : 'AE') : 'AR';
    acks.push({
      name,
      kind,
      original,
      ...(error ? { error } : {}),
      text: buildAck(original, code, error, { now }),
    });
  };
  for (const file of corpus()) {
    const split = splitHl7Batch(file.bytes);
    split.messages.forEach((message, i) => {
      const name = split.messages.length > 1 ? `${file.name}-${i + 1}` : file.name;
      const read = readOruR01(message, file.options);
      if (read.ok) add(`ack-${name}`, 'accepted', message);
      else add(`nak-${name}`, 'refused', message, read.error);
    });
    split.issues.forEach((issue, j) => {
      const content =
        issue.content === undefined
          ? file.bytes
          : typeof issue.content === 'string'
            ? new TextEncoder().encode(issue.content)
            : issue.content;
      add(`nak-${file.name}-batch${j + 1}`, 'refused', content, issue.error);
    });
  }

  const good = new Uint8Array(readFileSync(new URL('01-normal-pa-lateral.hl7', demoDir)));
  const v23 = new Uint8Array(readFileSync(new URL('epic-v2.3-preliminary.hl7', corpusDir)));
  add('ar-broker-down-v2.5.1', 'broker-down', good);
  add('ar-broker-down-v2.3', 'broker-down', v23);
  // Unreadable and not even dead-lettered (Kafka down): AR with the reader's reason, so the sender resends.
  const bad = new Uint8Array(readFileSync(new URL('error-missing-accession.hl7', corpusDir)));
  const badRead = readOruR01(bad, { patientKeySalt: SALT, maxBytes: 1_048_576 });
  if (badRead.ok) throw new Error('error-missing-accession.hl7 was read without error');
  add('ar-dead-letter-failed', 'dead-letter-failed', bad, badRead.error);

  // One message in each version a sender may use, acknowledged and refused: the ACK's version and ERR form.
  ACK_TEST_VERSIONS.forEach((version, n) => {
    const original = new TextEncoder().encode(
      `MSH|^~\\&|RIS|HOSP|RADFLOW|AI|20240101120000||ORU^R01|V${n + 1}|P|${version}\rPID|1||1\r`,
    );
    const missing = new InboundMessageError('MISSING_FIELD', 'no accession in OBR-3', 'OBR[1] OBR-3');
    add(`ack-version-${version || 'none'}`, 'accepted', original);
    add(`nak-version-${version || 'none'}`, 'refused', original, missing);
  });

  // MLLP framing errors: a frame cut short by the sender hanging up, bytes outside any frame, an oversized frame.
  const frame = (body: Uint8Array, end = true) =>
    new Uint8Array([MLLP_START, ...body, ...(end ? [MLLP_END, 0x0d] : [])]);
  const cut = new MllpDeframer({ maxMessageBytes: 1_048_576 });
  const stray = new MllpDeframer({ maxMessageBytes: 1_048_576 });
  const mllpEvents = [
    ...cut.push(frame(good, false)),
    ...cut.end(),
    ...stray.push(new TextEncoder().encode('hello\r')),
    ...stray.end(),
    ...new MllpDeframer({ maxMessageBytes: 1024 }).push(frame(good)),
  ];
  mllpEvents.forEach((event, i) => {
    if (event.kind === 'error')
      add(`nak-mllp-${i + 1}-${event.error.code}`, 'refused', event.bytes, event.error);
  });
  return acks;
}
