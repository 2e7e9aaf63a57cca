import { describe, expect, it } from 'vitest';
import { operationOutcome } from './operation-outcome.ts';

const refusal = (status: number, code = 'INVALID_JSON') => ({ status, code, detail: 'why', traceId: 't' });

describe('operationOutcome', () => {
  it('says login, forbidden, too-costly, transient or invalid by status, with the code, reason and trace id', () => {
    expect(operationOutcome(refusal(503, 'FHIR_FETCH_FAILED'))).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'transient',
          details: { text: 'FHIR_FETCH_FAILED: why' },
          diagnostics: 'radflow-trace-id t',
        },
      ],
    });
    const issueType = (status: number) =>
      (operationOutcome(refusal(status)) as { issue: Array<{ code: string }> }).issue[0]!.code;
    expect([401, 403, 413, 400, 500].map(issueType)).toEqual([
      'login',
      'forbidden',
      'too-costly',
      'invalid',
      'transient',
    ]);
  });
});
