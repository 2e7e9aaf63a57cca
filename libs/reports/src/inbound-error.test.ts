import { describe, expect, it } from 'vitest';
import { INBOUND_ERROR_CODES, InboundMessageError } from './inbound-error.ts';
import { patientKey } from './patient-key.ts';

describe('InboundMessageError', () => {
  it('carries its code, reason and location for every code', () => {
    const error = new InboundMessageError('MISSING_SEGMENT', 'no OBR segment', 'OBR');
    expect(error).toMatchObject({ code: 'MISSING_SEGMENT', reason: 'no OBR segment', location: 'OBR' });
    expect(error.message).toBe('MISSING_SEGMENT: no OBR segment');
    for (const code of INBOUND_ERROR_CODES) {
      expect(new InboundMessageError(code, 'r')).toBeInstanceOf(Error);
      expect(new InboundMessageError(code, 'r').location).toBeUndefined();
    }
  });

  it('serializes code, reason and location only', () => {
    expect(
      JSON.parse(JSON.stringify(new InboundMessageError('MISSING_FIELD', 'OBR-3 empty', 'OBR-3'))),
    ).toEqual({
      code: 'MISSING_FIELD',
      reason: 'OBR-3 empty',
      location: 'OBR-3',
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
