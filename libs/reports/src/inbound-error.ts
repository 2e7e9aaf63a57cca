/**
 * Why an inbound HL7 v2 message or FHIR resource could not be read.
 * Shared by libs/hl7 and libs/fhir so the gateway and ingest handle both feeds the same way.
 */
export type InboundErrorCode =
  | 'NOT_HL7'
  | 'WRONG_MESSAGE_TYPE'
  | 'UNSUPPORTED_VERSION'
  | 'MISSING_SEGMENT'
  | 'BAD_ENCODING_CHARACTERS'
  | 'TRUNCATED'
  | 'OVERSIZED'
  | 'UNKNOWN_CHARSET'
  | 'INVALID_JSON'
  | 'WRONG_RESOURCE_TYPE'
  | 'INVALID_FHIR'
  | 'MISSING_FIELD';

/** HL7 acknowledgment code: AE = error in the content, AR = the message itself is rejected (type, version, framing, MSH). */
export type AckCode = 'AA' | 'AE' | 'AR';

interface CodeTraits {
  ack: 'AE' | 'AR';
  /** HL7 table 0357 message error condition code, for ERR-3 (v2.5+) and ERR-1.4 (v2.3/2.4). */
  hl7ErrorCode: string;
  hl7ErrorText: string;
  /** For the FHIR rest-hook / HTTP posting endpoint. */
  httpStatus: number;
}

const TRAITS: Record<InboundErrorCode, CodeTraits> = {
  NOT_HL7: { ack: 'AR', hl7ErrorCode: '100', hl7ErrorText: 'Segment sequence error', httpStatus: 400 },
  WRONG_MESSAGE_TYPE: {
    ack: 'AR',
    hl7ErrorCode: '200',
    hl7ErrorText: 'Unsupported message type',
    httpStatus: 422,
  },
  UNSUPPORTED_VERSION: {
    ack: 'AR',
    hl7ErrorCode: '203',
    hl7ErrorText: 'Unsupported version id',
    httpStatus: 422,
  },
  MISSING_SEGMENT: {
    ack: 'AE',
    hl7ErrorCode: '100',
    hl7ErrorText: 'Segment sequence error',
    httpStatus: 422,
  },
  BAD_ENCODING_CHARACTERS: {
    ack: 'AR',
    hl7ErrorCode: '102',
    hl7ErrorText: 'Data type error',
    httpStatus: 400,
  },
  TRUNCATED: { ack: 'AE', hl7ErrorCode: '100', hl7ErrorText: 'Segment sequence error', httpStatus: 400 },
  OVERSIZED: { ack: 'AR', hl7ErrorCode: '207', hl7ErrorText: 'Application internal error', httpStatus: 413 },
  UNKNOWN_CHARSET: { ack: 'AR', hl7ErrorCode: '103', hl7ErrorText: 'Table value not found', httpStatus: 415 },
  INVALID_JSON: { ack: 'AE', hl7ErrorCode: '102', hl7ErrorText: 'Data type error', httpStatus: 400 },
  WRONG_RESOURCE_TYPE: {
    ack: 'AE',
    hl7ErrorCode: '200',
    hl7ErrorText: 'Unsupported message type',
    httpStatus: 422,
  },
  INVALID_FHIR: { ack: 'AE', hl7ErrorCode: '102', hl7ErrorText: 'Data type error', httpStatus: 422 },
  MISSING_FIELD: { ack: 'AE', hl7ErrorCode: '101', hl7ErrorText: 'Required field missing', httpStatus: 422 },
};

export const INBOUND_ERROR_CODES = Object.keys(TRAITS) as InboundErrorCode[];

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
  readonly ackCode: 'AE' | 'AR';
  readonly hl7ErrorCode: string;
  readonly hl7ErrorText: string;
  readonly httpStatus: number;

  constructor(code: InboundErrorCode, reason: string, location?: string) {
    super(`${code}: ${reason}`);
    const traits = TRAITS[code];
    this.code = code;
    this.reason = reason;
    this.location = location;
    this.ackCode = traits.ack;
    this.hl7ErrorCode = traits.hl7ErrorCode;
    this.hl7ErrorText = traits.hl7ErrorText;
    this.httpStatus = traits.httpStatus;
  }

  /** Plain form for DLQ headers and JSON output. */
  toJSON(): { code: InboundErrorCode; reason: string; location?: string; ackCode: 'AE' | 'AR' } {
    return {
      code: this.code,
      reason: this.reason,
      ...(this.location !== undefined ? { location: this.location } : {}),
      ackCode: this.ackCode,
    };
  }
}

export function isInboundMessageError(value: unknown): value is InboundMessageError {
  return value instanceof InboundMessageError;
}
