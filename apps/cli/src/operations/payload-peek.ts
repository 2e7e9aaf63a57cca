import { createHash } from 'node:crypto';

/**
 * A look at a message's bytes that an operator may see without seeing the patient: what kind of message it is, and
 * the ids that tie it to one exam (accession, control id) so `trace` can match it. Never the text itself. Tolerant:
 * the bytes may be exactly what failed to parse (a dead letter), so nothing here throws.
 */
export interface PayloadPeek {
  kind: 'hl7v2' | 'fhir' | 'event' | 'unknown';
  /** HL7 MSH-9 (e.g. ORU^R01), the FHIR resourceType, or the radflow event type. */
  type?: string;
  /** HL7 MSH-10 or the event's source message id: the sender's id of the message. */
  messageId?: string;
  /** Accession candidates in the order the ORU reader prefers them (OBR-3, OBR-18, ORC-3, OBR-2, ORC-2). */
  accessions: string[];
}

/** What `dlq show` prints by default: nothing a patient could be recognised from. */
export interface PayloadSummary {
  size: number;
  sha256: string;
  kind: PayloadPeek['kind'];
  type?: string;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function summarizePayload(bytes: Buffer | null): PayloadSummary {
  const value = bytes ?? Buffer.alloc(0);
  const peek = peekPayload(value);
  return {
    size: value.length,
    sha256: sha256Hex(value),
    kind: peek.kind,
    ...(peek.type ? { type: peek.type } : {}),
  };
}

export function peekPayload(bytes: Buffer): PayloadPeek {
  const head = bytes.subarray(0, 64).toString('latin1').trimStart();
  if (head.startsWith('MSH') || head.startsWith('FHS') || head.startsWith('BHS')) return peekHl7(bytes);
  if (head.startsWith('{')) return peekJson(bytes);
  return { kind: 'unknown', accessions: [] };
}

// Where the ORU reader looks for the accession, in its default order (libs/hl7 oru-reader DEFAULT_ACCESSION_FIELDS).
const ACCESSION_FIELDS: [segment: string, field: number][] = [
  ['OBR', 3],
  ['OBR', 18],
  ['ORC', 3],
  ['OBR', 2],
  ['ORC', 2],
];

export function peekHl7(bytes: Buffer): PayloadPeek {
  // latin1 keeps every byte as one character, so broken encodings never throw; ids are ASCII in practice.
  const segments = bytes
    .toString('latin1')
    .split(/\r\n|\r|\n/)
    .filter((segment) => segment.length > 3);
  const msh = segments.find((segment) => segment.startsWith('MSH'));
  if (!msh) return { kind: 'hl7v2', accessions: [] };
  const fieldSeparator = msh[3]!;
  const componentSeparator = msh[4] ?? '^';
  // MSH-1 is the separator itself, so MSH-n is split index n-1.
  const mshFields = msh.split(fieldSeparator);
  const fieldOf = (segment: string, n: number): string =>
    segment.startsWith('MSH') ? (mshFields[n - 1] ?? '') : (segment.split(fieldSeparator)[n] ?? '');
  const firstComponent = (value: string) => value.split(componentSeparator)[0]!.trim();
  const type = fieldOf(msh, 9)
    .split(componentSeparator)
    .slice(0, 2)
    .filter((part) => part !== '')
    .join('^');
  const messageId = fieldOf(msh, 10).trim();
  const accessions: string[] = [];
  for (const [name, field] of ACCESSION_FIELDS) {
    for (const segment of segments.filter((s) => s.startsWith(`${name}${fieldSeparator}`))) {
      const value = firstComponent(fieldOf(segment, field));
      if (value !== '' && !accessions.includes(value)) accessions.push(value);
    }
  }
  return {
    kind: 'hl7v2',
    ...(type ? { type } : {}),
    ...(messageId ? { messageId } : {}),
    accessions,
  };
}

export function peekJson(bytes: Buffer): PayloadPeek {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { kind: 'unknown', accessions: [] };
  }
  if (!isObject(parsed)) return { kind: 'unknown', accessions: [] };
  // A radflow event envelope (the .dlq of an event topic): its report names the accession.
  if (typeof parsed.type === 'string' && isObject(parsed.payload)) {
    const report = isObject(parsed.payload.report) ? parsed.payload.report : {};
    const accession = typeof report.accession === 'string' ? [report.accession] : [];
    const messageId = typeof parsed.sourceMessageId === 'string' ? parsed.sourceMessageId : undefined;
    return { kind: 'event', type: parsed.type, ...(messageId ? { messageId } : {}), accessions: accession };
  }
  if (typeof parsed.resourceType === 'string') {
    return { kind: 'fhir', type: parsed.resourceType, accessions: accessionIdentifiers(parsed) };
  }
  return { kind: 'unknown', accessions: [] };
}

/** Identifier values typed ACSN (or radflow's accession system) anywhere in a FHIR resource or Bundle. */
function accessionIdentifiers(resource: Record<string, unknown>): string[] {
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    if (typeof node.value === 'string' && isAccessionIdentifier(node)) found.push(node.value);
    for (const child of Object.values(node)) if (typeof child === 'object') visit(child);
  };
  visit(resource);
  return [...new Set(found)];
}

function isAccessionIdentifier(identifier: Record<string, unknown>): boolean {
  if (identifier.system === 'urn:radflow:accession') return true;
  const type = isObject(identifier.type) ? identifier.type : {};
  const codings = Array.isArray(type.coding) ? type.coding : [];
  return codings.some((coding) => isObject(coding) && coding.code === 'ACSN');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Does this message belong to the exam or message the operator named? */
export function peekMatches(peek: PayloadPeek, id: string): boolean {
  return peek.messageId === id || peek.accessions.includes(id);
}
