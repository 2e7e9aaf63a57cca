import { splitHl7Batch, type BatchIssue } from './batch.ts';
import { readOruR01, type OruReadResult, type ReadOruOptions } from './oru-reader.ts';

export interface FeedMessage<T extends Uint8Array | string> {
  /** The message's own bytes (or text), for the inbound topic or the dead-letter record. */
  input: T;
  result: OruReadResult;
}

/**
 * Read a file or posted body that may hold one message, several messages back to back, or an FHS/BHS batch:
 * one result per message, plus batch-level issues (missing trailers, count mismatches, stray content).
 */
export function readHl7Messages<T extends Uint8Array | string>(
  input: T,
  options: ReadOruOptions,
): { messages: Array<FeedMessage<T>>; issues: BatchIssue[] } {
  const split = splitHl7Batch(input);
  const messages = split.messages.map((message) => ({
    input: message,
    result: readOruR01(message, options),
  }));
  return { messages, issues: split.issues };
}
