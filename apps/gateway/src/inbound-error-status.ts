import type { InboundErrorCode } from '@radflow/reports';

/**
 * The HTTP status the gateway's posting endpoints answer an unreadable message with: 400 when the body cannot be
 * read at all, 413 too large, 415 an unknown charset, 422 readable but not a report radflow takes.
 */
const HTTP_STATUS: Record<InboundErrorCode, number> = {
  NOT_HL7: 400,
  WRONG_MESSAGE_TYPE: 422,
  UNSUPPORTED_VERSION: 422,
  MISSING_SEGMENT: 422,
  BAD_ENCODING_CHARACTERS: 400,
  TRUNCATED: 400,
  OVERSIZED: 413,
  UNKNOWN_CHARSET: 415,
  INVALID_JSON: 400,
  WRONG_RESOURCE_TYPE: 422,
  INVALID_FHIR: 422,
  MISSING_FIELD: 422,
};

export function httpStatusOf(code: InboundErrorCode): number {
  return HTTP_STATUS[code];
}
