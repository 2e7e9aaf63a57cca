import type { FhirOutcomeIssue } from './operation-outcome.ts';

/**
 * What an operator can act on, one code per cause:
 * - transient (retry later): FHIR_UNREACHABLE (no connection), FHIR_TIMEOUT (past the call's deadline),
 *   FHIR_THROTTLED (429), FHIR_HTTP_<status> (5xx, 408 and the other "not now" statuses), FHIR_BAD_RESPONSE
 *   (a 2xx answer that is not the JSON resource asked for: a proxy page, a short transaction-response);
 * - permanent (the request itself is refused): FHIR_NOT_FOUND (404, 410), FHIR_REJECTED (any other 4xx, with the
 *   OperationOutcome's issues when the server sent one), FHIR_REFERENCE_INVALID (a reference radflow will not follow).
 */
export type FhirErrorCode =
  | 'FHIR_UNREACHABLE'
  | 'FHIR_TIMEOUT'
  | 'FHIR_THROTTLED'
  | 'FHIR_BAD_RESPONSE'
  | `FHIR_HTTP_${number}`
  | 'FHIR_NOT_FOUND'
  | 'FHIR_REJECTED'
  | 'FHIR_REFERENCE_INVALID';

export interface FhirErrorDetails {
  code: FhirErrorCode;
  /** One line without resource content: the interaction, the status, the outcome's codes and diagnostics. */
  reason: string;
  transient: boolean;
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The server's Retry-After, in seconds from when it answered (transient failures only). */
  retryAfterSeconds?: number;
  /** The OperationOutcome's issues, when the server sent one. */
  issues?: FhirOutcomeIssue[];
  cause?: unknown;
}

/**
 * The one failure of a FHIR call. `transient` and `permanent` are the flags the Kafka boundary reads
 * (libs/events isTransient / isPermanent): transient failures are retried, permanent ones dead-lettered.
 */
export class FhirError extends Error {
  override readonly name = 'FhirError';
  readonly code: FhirErrorCode;
  readonly reason: string;
  readonly transient: boolean;
  readonly permanent: boolean;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly issues: readonly FhirOutcomeIssue[];

  constructor(details: FhirErrorDetails) {
    super(details.reason, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.reason = details.reason;
    this.transient = details.transient;
    this.permanent = !details.transient;
    this.status = details.status;
    this.retryAfterSeconds = details.transient ? details.retryAfterSeconds : undefined;
    this.issues = details.issues ?? [];
  }
}

export function isFhirError(error: unknown): error is FhirError {
  return error instanceof FhirError;
}
