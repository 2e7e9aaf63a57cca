import { describe, expect, it } from 'vitest';
import { peekMatches, peekPayload, summarizePayload } from './payload-peek.ts';

const oru = [
  'MSH|^~\\&|PSCRIBE|GENHOSP|RADFLOW|GENHOSP|20250110081500||ORU^R01^ORU_R01|DEMO0001|P|2.5.1',
  'PID|1||MRN100001^^^GENHOSP^MR||DOE^JANE||19600101|F',
  'ORC|RE|PLC1001|ACC1001||CM',
  'OBR|1|PLC1001|ACC1001^RIS|71046^XR CHEST 2 VIEWS^CPT',
  'OBX|1|TX|18782-3^Study^LN|1|FINDINGS: normal.||||||F',
].join('\r');

describe('peekPayload', () => {
  it('reads an HL7 message type, control id and accessions in the ORU reader order, never the text', () => {
    const peek = peekPayload(Buffer.from(oru, 'latin1'));
    expect(peek).toEqual({
      kind: 'hl7v2',
      type: 'ORU^R01',
      messageId: 'DEMO0001',
      accessions: ['ACC1001', 'PLC1001'],
    });
    expect(JSON.stringify(peek)).not.toMatch(/DOE|MRN|FINDINGS/);
  });

  it('survives bytes that are not HL7 nor JSON, broken encodings and a bare MSH', () => {
    expect(peekPayload(Buffer.from([0xff, 0xfe, 0x00, 0x41])).kind).toBe('unknown');
    expect(
      peekPayload(Buffer.concat([Buffer.from('MSH|^~\\&|BROKEN|'), Buffer.from([0xff, 0x00])])),
    ).toMatchObject({
      kind: 'hl7v2',
      accessions: [],
    });
    expect(peekPayload(Buffer.from('{not json')).kind).toBe('unknown');
  });

  it('names a FHIR resourceType and its ACSN identifiers, and a radflow event by type and accession', () => {
    const bundle = {
      resourceType: 'Bundle',
      entry: [
        {
          resource: {
            resourceType: 'DiagnosticReport',
            identifier: [{ type: { coding: [{ code: 'ACSN' }] }, value: 'ACC9' }, { value: 'other' }],
          },
        },
      ],
    };
    expect(peekPayload(Buffer.from(JSON.stringify(bundle)))).toEqual({
      kind: 'fhir',
      type: 'Bundle',
      accessions: ['ACC9'],
    });
    const event = {
      type: 'rad.report.enriched',
      sourceMessageId: 'M1',
      payload: { report: { accession: 'ACC7' } },
    };
    expect(peekPayload(Buffer.from(JSON.stringify(event)))).toEqual({
      kind: 'event',
      type: 'rad.report.enriched',
      messageId: 'M1',
      accessions: ['ACC7'],
    });
  });

  it('matches by accession or message id', () => {
    const peek = peekPayload(Buffer.from(oru, 'latin1'));
    expect(peekMatches(peek, 'ACC1001')).toBe(true);
    expect(peekMatches(peek, 'DEMO0001')).toBe(true);
    expect(peekMatches(peek, 'ACC100')).toBe(false);
  });

  it('summarizes size, sha256 and type only', () => {
    expect(summarizePayload(Buffer.from(oru, 'latin1'))).toEqual({
      size: Buffer.byteLength(oru, 'latin1'),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      kind: 'hl7v2',
      type: 'ORU^R01',
    });
    expect(summarizePayload(null)).toMatchObject({ size: 0, kind: 'unknown' });
  });
});
