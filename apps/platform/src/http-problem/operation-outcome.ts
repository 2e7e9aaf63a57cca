/** What a FHIR endpoint refused, in the words of a problem: the gateway's codes are not all problem codes. */
export interface FhirRefusal {
  status: number;
  code: string;
  detail: string;
  traceId?: string;
}

/**
 * The one mapping of a refusal at a FHIR endpoint to a FHIR OperationOutcome: the issue type from the status
 * (login, forbidden, too-costly, transient, invalid), the code and reason as its text, never resource content.
 */
export function operationOutcome(refusal: FhirRefusal): Record<string, unknown> {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: issueType(refusal.status),
        details: { text: `${refusal.code}: ${refusal.detail}` },
        ...(refusal.traceId ? { diagnostics: `radflow-trace-id ${refusal.traceId}` } : {}),
      },
    ],
  };
}

function issueType(status: number): string {
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 413) return 'too-costly';
  return status >= 500 ? 'transient' : 'invalid';
}
