import { FhirError, type FhirErrorCode } from './fhir-error.ts';
import { describeOutcomeIssues, operationOutcomeIssues } from './operation-outcome.ts';

/**
 * 4xx statuses that say "not now" rather than "never": timeout, throttling, conflicts of concurrent writers,
 * and credentials (a refused token is renewed once by the auth; still refused, it is a setting to fix, not a
 * message to drop).
 */
const TRANSIENT_CLIENT_STATUSES = new Set([401, 403, 408, 409, 412, 425, 429]);
const GONE = new Set([404, 410]);

/** Retry-After as seconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

export interface FhirAnswer {
  /** What was asked, for the reason: read, search, transaction, batch. */
  interaction: string;
  status: number;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  retryAfter?: string | null;
  now: number;
}

/** The failure a non-2xx answer is: transient for 408, 429, 5xx and the other "not now" statuses; else permanent. */
export function failureOfAnswer(answer: FhirAnswer): FhirError {
  const { status, interaction } = answer;
  const issues = operationOutcomeIssues(answer.body);
  const reason = `FHIR ${interaction} failed with HTTP ${status}${issues?.length ? `: ${describeOutcomeIssues(issues)}` : ''}`;
  const transient = status >= 500 || status < 400 || TRANSIENT_CLIENT_STATUSES.has(status);
  const code: FhirErrorCode = transient
    ? status === 429
      ? 'FHIR_THROTTLED'
      : `FHIR_HTTP_${status}`
    : GONE.has(status)
      ? 'FHIR_NOT_FOUND'
      : 'FHIR_REJECTED';
  const retryAfter = transient ? retryAfterSeconds(answer.retryAfter, answer.now) : undefined;
  return new FhirError({
    code,
    reason,
    transient,
    status,
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    ...(issues ? { issues } : {}),
  });
}

/** The failure of a call that got no answer: past its deadline, or no connection. Always transient. */
export function failureOfNoAnswer(error: unknown, interaction: string, timeoutMs: number): FhirError {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError'
    ? new FhirError({
        code: 'FHIR_TIMEOUT',
        reason: `FHIR ${interaction} timed out after ${timeoutMs} ms`,
        transient: true,
        cause: error,
      })
    : new FhirError({
        code: 'FHIR_UNREACHABLE',
        reason: 'FHIR server unreachable',
        transient: true,
        cause: error,
      });
}

/** A 2xx answer that is not what was asked for (not JSON, another resource type, a short response Bundle). */
export function unexpectedAnswer(interaction: string, what: string): FhirError {
  return new FhirError({
    code: 'FHIR_BAD_RESPONSE',
    reason: `FHIR ${interaction} answered ${what}`,
    transient: true,
  });
}
