import { InboundMessageError } from '@radflow/reports';
import { describe, expect, it } from 'vitest';
import { ACK_VERSIONS, buildAck } from './ack.ts';

const now = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

describe('buildAck', () => {
  it('acknowledges with swapped sender and receiver, the original version and control id', () => {
    const original = 'MSH|^~\\&|RIS|HOSP|RADFLOW|AI|20240101||ORU^R01|MSG1|P|2.5.1\rPID|||1\r';
    expect(buildAck(original, 'AA', undefined, { now }).split('\r')).toEqual([
      'MSH|^~\\&|RADFLOW|AI|RIS|HOSP|20240102030405+0000||ACK^R01^ACK|ACKMSG1|P|2.5.1',
      'MSA|AA|MSG1',
      '',
    ]);
  });

  it('adds ERR in the v2.5 form with location, condition code and the operator reason', () => {
    const original = 'MSH|^~\\&|RIS|HOSP|||20240101||ORU^R01|MSG2|P|2.5\r';
    const error = new InboundMessageError('MISSING_FIELD', 'no accession in OBR-3', 'OBR[1] OBR-3');
    const lines = buildAck(original, 'AE', error, { now, controlId: 'X1' }).split('\r');
    expect(lines[0]).toBe('MSH|^~\\&|RADFLOW|RADFLOW|RIS|HOSP|20240102030405+0000||ACK^R01^ACK|X1|P|2.5');
    expect(lines[1]).toBe('MSA|AE|MSG2|no accession in OBR-3');
    expect(lines[2]).toBe(
      'ERR||OBR^1^3|101^Required field missing^HL70357|E|||MISSING_FIELD|no accession in OBR-3',
    );
  });

  it('uses ERR-1 for v2.3 and the sender delimiters', () => {
    const original = 'MSH!+?#]!RIS!HOSP!!!20240101!!ORU+R01!M3!P!2.3\r';
    const error = new InboundMessageError('WRONG_MESSAGE_TYPE', 'MSH-9 message type is ADT+A01', 'MSH-9');
    const lines = buildAck(original, 'AR', error, { now }).split('\r');
    expect(lines[0]).toBe('MSH!+?#]!RADFLOW!RADFLOW!RIS!HOSP!20240102030405+0000!!ACK+R01!ACKM3!P!2.3');
    expect(lines[1]).toBe('MSA!AR!M3!MSH-9 message type is ADT#S#A01');
    expect(lines[2]).toBe('ERR!MSH+1+9+200]Unsupported message type]HL70357');
  });

  it('answers even garbage with a minimal MSH', () => {
    const error = new InboundMessageError('NOT_HL7', 'input does not begin with an MSH segment');
    const lines = buildAck(new Uint8Array([0xff, 0x00, 0x41]), 'AR', error, { now, controlId: 'C1' }).split(
      '\r',
    );
    expect(lines[0]).toBe('MSH|^~\\&|RADFLOW|RADFLOW|||20240102030405+0000||ACK^^ACK|C1|P|2.5.1');
    // MSA-2 is required: with no control id to echo it holds the v2 null.
    expect(lines[1]).toBe('MSA|AR|""|input does not begin with an MSH segment');
    expect(lines[2]).toBe(
      'ERR|||100^Segment sequence error^HL70357|E|||NOT_HL7|input does not begin with an MSH segment',
    );
  });

  it('answers in v2.5.1 when the original is in a version no parser knows, e.g. 3.0 (AR, error 203)', () => {
    const original = 'MSH|^~\\&|RIS|HOSP|RADFLOW|AI|20240101||ORU^R01|MSG3|P|3.0\r';
    const error = new InboundMessageError(
      'UNSUPPORTED_VERSION',
      'MSH-12 version "3.0" is not HL7 v2.x',
      'MSH-12',
    );
    const lines = buildAck(original, 'AR', error, { now }).split('\r');
    expect(lines[0]).toBe('MSH|^~\\&|RADFLOW|AI|RIS|HOSP|20240102030405+0000||ACK^R01^ACK|ACKMSG3|P|2.5.1');
    expect(lines[1]).toBe('MSA|AR|MSG3|MSH-12 version "3.0" is not HL7 v2.x');
    expect(lines[2]).toBe(
      'ERR||MSH^1^12|203^Unsupported version id^HL70357|E|||UNSUPPORTED_VERSION|MSH-12 version "3.0" is not HL7 v2.x',
    );
  });

  it.each([
    ['2.2', '2.2', 'ACK^R01'],
    ['2.3.1', '2.3.1', 'ACK^R01'],
    ['2.4', '2.4', 'ACK^R01^ACK'],
    ['2.8.1', '2.8.1', 'ACK^R01^ACK'],
    ['2.1', '2.5.1', 'ACK^R01^ACK'],
    ['2.7.1', '2.5.1', 'ACK^R01^ACK'],
    ['2.9', '2.5.1', 'ACK^R01^ACK'],
    ['', '2.5.1', 'ACK^R01^ACK'],
  ])('acknowledges a v%s message in v%s with MSH-9 %s', (version, ackVersion, messageType) => {
    const original = `MSH|^~\\&|RIS|HOSP|||20240101||ORU^R01|M|P|${version}\r`;
    const fields = (buildAck(original, 'AA', undefined, { now }).split('\r')[0] ?? '').split('|');
    expect(fields[8]).toBe(messageType);
    expect(fields[11]).toBe(ackVersion);
    expect(ACK_VERSIONS.has(ackVersion)).toBe(true);
  });

  it('leaves MSA-3 out from v2.7, where it is withdrawn: the reason is in ERR-8', () => {
    const original = 'MSH|^~\\&|RIS|HOSP|||20240101||ORU^R01|M7|P|2.7\r';
    const error = new InboundMessageError('MISSING_FIELD', 'no accession in OBR-3', 'OBR[1] OBR-3');
    const lines = buildAck(original, 'AE', error, { now }).split('\r');
    expect(lines[1]).toBe('MSA|AE|M7');
    expect(lines[2]).toBe(
      'ERR||OBR^1^3|101^Required field missing^HL70357|E|||MISSING_FIELD|no accession in OBR-3',
    );
  });
});
