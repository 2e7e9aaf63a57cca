import type { InboundErrorCode } from '@radflow/reports';

/** HL7 acknowledgment code: AA accepted, AE an error in the content, AR the message itself is rejected. */
export type AckCode = 'AA' | 'AE' | 'AR';

/** An HL7 table 0357 message error condition, for ERR-3 (v2.5+) and ERR-1.4 (v2.3/2.4). */
export interface ErrorCondition {
  code: string;
  text: string;
}

interface AckTraits {
  /** AR when the message itself is refused (type, version, framing, MSH), AE for an error in its content. */
  ack: 'AE' | 'AR';
  condition: ErrorCondition;
}

const SEGMENT_SEQUENCE: ErrorCondition = { code: '100', text: 'Segment sequence error' };
const REQUIRED_FIELD_MISSING: ErrorCondition = { code: '101', text: 'Required field missing' };
const DATA_TYPE: ErrorCondition = { code: '102', text: 'Data type error' };
const TABLE_VALUE_NOT_FOUND: ErrorCondition = { code: '103', text: 'Table value not found' };
const UNSUPPORTED_MESSAGE_TYPE: ErrorCondition = { code: '200', text: 'Unsupported message type' };
const UNSUPPORTED_VERSION: ErrorCondition = { code: '203', text: 'Unsupported version id' };
const APPLICATION_INTERNAL: ErrorCondition = { code: '207', text: 'Application internal error' };

const TRAITS: Record<InboundErrorCode, AckTraits> = {
  NOT_HL7: { ack: 'AR', condition: SEGMENT_SEQUENCE },
  WRONG_MESSAGE_TYPE: { ack: 'AR', condition: UNSUPPORTED_MESSAGE_TYPE },
  UNSUPPORTED_VERSION: { ack: 'AR', condition: UNSUPPORTED_VERSION },
  MISSING_SEGMENT: { ack: 'AE', condition: SEGMENT_SEQUENCE },
  BAD_ENCODING_CHARACTERS: { ack: 'AR', condition: DATA_TYPE },
  TRUNCATED: { ack: 'AE', condition: SEGMENT_SEQUENCE },
  OVERSIZED: { ack: 'AR', condition: APPLICATION_INTERNAL },
  UNKNOWN_CHARSET: { ack: 'AR', condition: TABLE_VALUE_NOT_FOUND },
  INVALID_JSON: { ack: 'AE', condition: DATA_TYPE },
  WRONG_RESOURCE_TYPE: { ack: 'AE', condition: UNSUPPORTED_MESSAGE_TYPE },
  INVALID_FHIR: { ack: 'AE', condition: DATA_TYPE },
  MISSING_FIELD: { ack: 'AE', condition: REQUIRED_FIELD_MISSING },
};

/** The ACK code an unreadable inbound message is answered with. */
export function ackCodeOf(code: InboundErrorCode): 'AE' | 'AR' {
  return TRAITS[code].ack;
}

/** The ERR segment's error condition for an unreadable inbound message. */
export function errorConditionOf(code: InboundErrorCode): ErrorCondition {
  return TRAITS[code].condition;
}
