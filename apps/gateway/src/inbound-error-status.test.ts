import { INBOUND_ERROR_CODES } from '@radflow/reports';
import { describe, expect, it } from 'vitest';
import { httpStatusOf } from './inbound-error-status.ts';

describe('httpStatusOf', () => {
  it('answers an unreadable message with a 4xx that says why', () => {
    expect(httpStatusOf('NOT_HL7')).toBe(400);
    expect(httpStatusOf('OVERSIZED')).toBe(413);
    expect(httpStatusOf('UNKNOWN_CHARSET')).toBe(415);
    expect(httpStatusOf('INVALID_FHIR')).toBe(422);
    for (const code of INBOUND_ERROR_CODES) expect([400, 413, 415, 422]).toContain(httpStatusOf(code));
  });
});
