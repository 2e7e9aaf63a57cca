import { PermanentError, TransientError } from '@radflow/events';

interface OperationOutcomeIssue {
  severity?: string;
  code?: string;
  diagnostics?: string;
  details?: { text?: string };
  expression?: string[];
}

/** Statuses that say "not now" rather than "never": throttling, conflicts, timeouts, credentials to renew. */
const RETRYABLE_CLIENT_STATUSES = new Set([401, 403, 408, 409, 412, 425, 429]);

/**
 * Quoted element names stay (they tell an operator what to fix); any other quoted text is dropped, since a
 * server may echo the offending value back and values can carry PHI.
 */
function withoutEchoedValues(text: string): string {
  return text.replace(/"([^"]*)"/g, (quoted, inner: string) =>
    /^[A-Za-z_$][\w.[\]$-]{0,63}$/.test(inner) ? quoted : '"…"',
  );
}

/** The OperationOutcome's issues in one line an operator can act on, without the resource's content. */
export function describeOperationOutcome(body: unknown): string | undefined {
  const outcome = body as { resourceType?: string; issue?: OperationOutcomeIssue[] } | null;
  if (outcome?.resourceType !== 'OperationOutcome' || !Array.isArray(outcome.issue)) return undefined;
  return outcome.issue
    .slice(0, 10)
    .map((issue) => {
      const text = withoutEchoedValues((issue.diagnostics ?? issue.details?.text ?? '').slice(0, 300));
      const where = issue.expression?.length ? ` at ${issue.expression.slice(0, 3).join(', ')}` : '';
      return `${issue.severity ?? 'error'} ${issue.code ?? 'unknown'}: ${text}${where}`;
    })
    .join('; ');
}

function networkCode(error: unknown): string | undefined {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'FHIR_TIMEOUT';
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  if (error instanceof TypeError || typeof cause?.code === 'string') return 'FHIR_UNREACHABLE';
  return undefined;
}

/**
 * Decides retry or dead letter for a failed FHIR call. Unreachable server, timeouts, 5xx, 429 and the other
 * retryable statuses → TransientError (the transport retries with backoff, the offset stays uncommitted);
 * any other 4xx → PermanentError with the OperationOutcome's diagnostics (the message goes to the DLQ).
 */
export function classifyFhirFailure(error: unknown, operation: string): Error {
  const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
  if (typeof status !== 'number') {
    const code = networkCode(error);
    if (code)
      return new TransientError(
        `FHIR ${operation}: ${code === 'FHIR_TIMEOUT' ? 'timed out' : 'server unreachable'}`,
        code,
        { cause: error },
      );
    return error instanceof Error ? error : new Error(String(error));
  }
  const body = (error as { response?: { data?: unknown } }).response?.data;
  const diagnostics = describeOperationOutcome(body);
  const reason = `FHIR ${operation} failed with HTTP ${status}${diagnostics ? `: ${diagnostics}` : ''}`;
  if (status >= 500 || status < 400 || RETRYABLE_CLIENT_STATUSES.has(status)) {
    return new TransientError(reason, status === 429 ? 'FHIR_THROTTLED' : `FHIR_HTTP_${status}`, {
      cause: error,
    });
  }
  return new PermanentError(reason, diagnostics ? 'FHIR_REJECTED' : `FHIR_HTTP_${status}`);
}
