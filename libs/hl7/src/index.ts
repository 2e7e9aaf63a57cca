export {
  readOruR01,
  DEFAULT_ACCESSION_FIELDS,
  type ReadOruOptions,
  type OruReadResult,
  type AccessionField,
} from './oru-reader.ts';
export { readHl7Messages, type FeedMessage } from './feed-reader.ts';
export { splitHl7Batch, type SplitBatch, type BatchIssue } from './batch.ts';
export { buildAck, type AckOptions } from './ack.ts';
export { ackCodeOf, errorConditionOf, type AckCode, type ErrorCondition } from './inbound-error-ack.ts';
export {
  frameMllp,
  unframeMllp,
  MllpDeframer,
  MLLP_START,
  MLLP_END,
  MLLP_CR,
  type MllpEvent,
  type MllpDeframerOptions,
} from './mllp.ts';
export { decodeEscapes, type EscapeDecodeResult } from './escapes.ts';
export { hl7TimestampToIso } from './timestamps.ts';
export { decodeMessageBytes, type CharsetFallback, type DecodedMessage } from './charset.ts';
export { readDelimiters, STANDARD_DELIMITERS, type Delimiters } from './delimiters.ts';
export * from './write/index.ts';
