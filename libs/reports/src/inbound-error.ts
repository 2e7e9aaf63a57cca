/**
 * Why an inbound HL7 v2 message or FHIR resource could not be read.
 * Shared by libs/hl7 and libs/fhir so the gateway and ingest handle both feeds the same way. How a code is answered
 * is the transport's: the HL7 ACK code and ERR condition in libs/hl7 (inbound-error-ack.ts), the HTTP status in
 * apps/gateway (inbound-error-status.ts).
 */
export const INBOUND_ERROR_CODES = [
  'NOT_HL7',
  'WRONG_MESSAGE_TYPE',
  'UNSUPPORTED_VERSION',
  'MISSING_SEGMENT',
  'BAD_ENCODING_CHARACTERS',
  'TRUNCATED',
  'OVERSIZED',
  'UNKNOWN_CHARSET',
  'INVALID_JSON',
  'WRONG_RESOURCE_TYPE',
  'INVALID_FHIR',
  'MISSING_FIELD',
] as const;

export type InboundErrorCode = (typeof INBOUND_ERROR_CODES)[number];

/**
 * A typed, operator-facing error for bad inbound input.
 * `reason` names fields, segments and structure only: never report text, names or identifiers (it is logged).
 */
export class InboundMessageError extends Error {
  override readonly name = 'InboundMessageError';
  readonly code: InboundErrorCode;
  readonly reason: string;
  /** Where the problem is, e.g. "MSH-9", "OBR", "DiagnosticReport.status". */
  readonly location: string | undefined;

  constructor(code: InboundErrorCode, reason: string, location?: string) {
    super(`${code}: ${reason}`);
    this.code = code;
    this.reason = reason;
    this.location = location;
  }

  /** Plain form for JSON output. */
  toJSON(): { code: InboundErrorCode; reason: string; location?: string } {
    return {
      code: this.code,
      reason: this.reason,
      ...(this.location !== undefined ? { location: this.location } : {}),
    };
  }
}

export function isInboundMessageError(value: unknown): value is InboundMessageError {
  return value instanceof InboundMessageError;
}
