import { readFileSync } from 'node:fs';
import { ackCodeOf } from '@radflow/hl7';
import { describe, expect, it } from 'vitest';
import { readInbound } from './read-inbound.ts';

const options = { maxMessageBytes: 262_144, patientKeySalt: 'inbound-test-salt' };
const fixture = (path: string): Buffer =>
  readFileSync(new URL(`../../../test/fixtures/${path}`, import.meta.url));

describe('readInbound', () => {
  it('keeps a finalized chest X-ray and skips a head CT with the filter code', () => {
    const cxr = readInbound('hl7v2', fixture('demo/01-normal-pa-lateral.hl7'), options);
    const ct = readInbound('hl7v2', fixture('demo/05-ct-head-not-cxr.hl7'), options);
    expect(cxr.ok && cxr.accepted.map((r) => r.accession)).toEqual(['ACC1001']);
    expect(ct.ok && ct.skipped.map((s) => s.code)).toEqual(['NOT_CHEST_XRAY']);
    expect(ct.ok && ct.accepted).toEqual([]);
  });

  it('carries the HL7 patient name (PID-5) for the outbound ORU^R01', () => {
    const cxr = readInbound('hl7v2', fixture('demo/01-normal-pa-lateral.hl7'), options);
    expect(cxr.ok && cxr.accepted[0]?.patient.name).toEqual({ family: 'DEMO', given: ['ALPHA'] });
  });

  it('lists the DiagnosticReports an id-only notification names, to be fetched', () => {
    const outcome = readInbound('fhir', fixture('fhir/notification-id-only.json'), options);
    expect(outcome).toMatchObject({
      ok: true,
      accepted: [],
      skipped: [],
      unresolved: ['https://ehr.example/fhir/DiagnosticReport/dr-25'],
    });
  });

  it('answers an unreadable message with its typed error', () => {
    const outcome = readInbound('hl7v2', fixture('demo/06-truncated.hl7'), options);
    expect(outcome.ok ? 'ok' : { code: outcome.error.code, ackCode: ackCodeOf(outcome.error.code) }).toEqual({
      code: 'TRUNCATED',
      ackCode: 'AE',
    });
  });
});
