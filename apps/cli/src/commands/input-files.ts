import { readFileSync } from 'node:fs';
import type { RadflowConfig } from '@radflow/config';
import { splitHl7Batch } from '@radflow/hl7';
import { chestXrayPolicyFrom, readInbound, type InboundKind, type InboundOutcome } from '@radflow/inbound';

export interface InputMessage {
  /** The file, and the message's position when the file holds several (a batch or back-to-back messages). */
  source: string;
  kind: InboundKind;
  bytes: Buffer;
}

/** A file's messages: JSON is one FHIR resource or Bundle; anything else is HL7 v2, possibly a batch. */
export function readInputFile(file: string): InputMessage[] {
  const bytes = readFileSync(file);
  const firstChar = bytes.toString('utf8', 0, Math.min(bytes.length, 64)).trimStart()[0];
  if (firstChar === '{' || firstChar === '[') return [{ source: file, kind: 'fhir', bytes }];
  const { messages } = splitHl7Batch(bytes);
  if (messages.length <= 1) return [{ source: file, kind: 'hl7v2', bytes }];
  return messages.map((message, index) => ({
    source: `${file}#${index + 1}`,
    kind: 'hl7v2',
    bytes: Buffer.from(message),
  }));
}

/** Every message of the files, read as ingest reads it (same size limit, patient key salt and filter). */
export function readInputOutcomes(
  files: string[],
  config: RadflowConfig,
): { message: InputMessage; outcome: InboundOutcome }[] {
  const options = {
    maxMessageBytes: config.ingest.maxMessageBytes,
    patientKeySalt: config.ingest.patientKeySalt,
    policy: chestXrayPolicyFrom(config.rules.chestXray),
  };
  return files
    .flatMap(readInputFile)
    .map((message) => ({ message, outcome: readInbound(message.kind, message.bytes, options) }));
}
