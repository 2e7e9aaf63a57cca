import { INBOUND_ERROR_CODES } from '@radflow/reports';
import { describe, expect, it } from 'vitest';
import { ackCodeOf, errorConditionOf } from './inbound-error-ack.ts';

describe('the ACK of an unreadable inbound message', () => {
  it('is AE for an error in the content and AR for a message refused as such', () => {
    expect(ackCodeOf('MISSING_SEGMENT')).toBe('AE');
    expect(ackCodeOf('TRUNCATED')).toBe('AE');
    expect(ackCodeOf('WRONG_MESSAGE_TYPE')).toBe('AR');
    expect(ackCodeOf('OVERSIZED')).toBe('AR');
  });

  it('names an HL7 table 0357 condition for every code', () => {
    expect(errorConditionOf('MISSING_FIELD')).toEqual({ code: '101', text: 'Required field missing' });
    expect(errorConditionOf('UNSUPPORTED_VERSION')).toEqual({ code: '203', text: 'Unsupported version id' });
    for (const code of INBOUND_ERROR_CODES) {
      expect(['AE', 'AR']).toContain(ackCodeOf(code));
      expect(errorConditionOf(code).code).toMatch(/^\d{3}$/);
    }
  });
});
