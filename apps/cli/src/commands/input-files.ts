import { readFileSync } from 'node:fs';
import type { InboundKind } from '@radflow/inbound';

export interface InputMessage {
  file: string;
  kind: InboundKind;
  bytes: Buffer;
}

/** A file's kind by its content: JSON is FHIR, anything else is read as HL7 v2. */
export function readInputFile(file: string): InputMessage {
  const bytes = readFileSync(file);
  const firstChar = bytes.toString('utf8', 0, Math.min(bytes.length, 64)).trimStart()[0];
  return { file, kind: firstChar === '{' || firstChar === '[' ? 'fhir' : 'hl7v2', bytes };
}
