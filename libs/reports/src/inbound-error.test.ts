import { describe, expect, it } from 'vitest';
import { INBOUND_ERROR_CODES, InboundMessageError } from './inbound-error.ts';
import { patientKey } from './patient-key.ts';

describe('InboundMessageError', () => {
  it('carries the ACK code for content errors (AE) and rejected messages (AR)', () => {
    expect(new InboundMessageError('MISSING_SEGMENT', 'no OBR segment', 'OBR').ackCode).toBe('AE');
    expect(new InboundMessageError('WRONG_MESSAGE_TYPE', 'MSH-9 is ADT^A01').ackCode).toBe('AR');
    expect(new InboundMessageError('OVERSIZED', 'too big').httpStatus).toBe(413);
    for (const code of INBOUND_ERROR_CODES) {
      const error = new InboundMessageError(code, 'r');
      expect(['AE', 'AR']).toContain(error.ackCode);
      expect(error.hl7ErrorCode).toMatch(/^\d{3}$/);
      expect(error).toBeInstanceOf(Error);
    }
  });

  it('serializes code, reason and location only', () => {
    expect(
      JSON.parse(JSON.stringify(new InboundMessageError('MISSING_FIELD', 'OBR-3 empty', 'OBR-3'))),
    ).toEqual({
      code: 'MISSING_FIELD',
      reason: 'OBR-3 empty',
      location: 'OBR-3',
      ackCode: 'AE',
    });
  });
});

describe('patientKey', () => {
  it('is a salted, system-scoped SHA-256 hex digest', () => {
    const key = patientKey({ system: 'HOSP', value: 'MRN1' }, 'salt');
    expect(key).toMatch(/^[a-f0-9]{64}$/);
    expect(patientKey({ system: 'HOSP', value: 'MRN1' }, 'salt')).toBe(key);
    expect(patientKey({ system: 'HOSP', value: 'MRN1' }, 'other')).not.toBe(key);
    expect(patientKey({ system: 'CLINIC', value: 'MRN1' }, 'salt')).not.toBe(key);
    expect(patientKey({ value: 'MRN1' }, 'salt')).not.toBe(key);
    expect(() => patientKey({ value: 'MRN1' }, '')).toThrow(/salt/);
  });
});
