import type { InboundMessageError } from '@radflow/reports';
import { errorConditionOf, type AckCode } from './inbound-error-ack.ts';
import { readDelimiters, STANDARD_DELIMITERS, type Delimiters } from './delimiters.ts';
import { hl7Now } from './timestamps.ts';

export interface AckOptions {
  /** MSH-3/MSH-4 of the ACK when the original's receiving application/facility are empty. Default RADFLOW. */
  application?: string;
  facility?: string;
  /** MSH-10 of the ACK. Default: "ACK" + the original control id (truncated to 20), or a time-based id. */
  controlId?: string;
  now?: Date;
}

/**
 * HL7 v2 versions an ACK is written in: the original's when it is one of these (the published versions from v2.2,
 * the first whose MSH-9 names a trigger event, that HAPI HL7v2 2.5.1 and hl7apy 1.3.5 both model), else
 * ACK_FALLBACK_VERSION. So a message in "3.0", "2.7.1", "2.9" or no version at all is answered in v2.5.1.
 */
export const ACK_VERSIONS: ReadonlySet<string> = new Set([
  '2.2',
  '2.3',
  '2.3.1',
  '2.4',
  '2.5',
  '2.5.1',
  '2.6',
  '2.7',
  '2.8',
  '2.8.1',
]);
export const ACK_FALLBACK_VERSION = '2.5.1';

/** The v2 null, for a required field radflow cannot know (MSA-2 of a message with no readable control id). */
const HL7_NULL = '""';

interface OriginalHeader {
  delimiters: Delimiters;
  fields: string[];
}

/**
 * An HL7 ACK for an inbound message: MSH (sender and receiver swapped, the original's processing id, and its version
 * when that is one of ACK_VERSIONS, else v2.5.1), MSA (code, original control id or the v2 null `""` when it has
 * none, the reason up to v2.6: MSA-3 is withdrawn in v2.7) and, with an error, ERR in the form of the ACK's version (ERR-1 up to v2.4, ERR-2/3/4/7/8 from
 * v2.5). MSH-9 is ACK^<original trigger>, with the structure ACK as third component from v2.4 (v2.3.1 allows MSH-9
 * seven characters). When the original is unreadable (not HL7, bad MSH), the ACK falls back to a minimal v2.5.1 MSH
 * with standard delimiters so the sender still gets an answer. Segments end in \r.
 */
export function buildAck(
  original: Uint8Array | string,
  code: AckCode,
  error?: InboundMessageError,
  options: AckOptions = {},
): string {
  const header = readOriginalHeader(original);
  const d = header?.delimiters ?? STANDARD_DELIMITERS;
  const f = (n: number): string => header?.fields[n - 1] ?? '';
  const first = (value: string): string => value.split(d.repetition)[0] ?? '';
  const originalVersion = (f(12).split(d.component)[0] ?? '').trim();
  const version = ACK_VERSIONS.has(originalVersion) ? originalVersion : ACK_FALLBACK_VERSION;
  const trigger = (f(9).split(d.component)[1] ?? '').trim();
  const originalControlId = first(f(10)).trim();
  const now = options.now ?? new Date();
  const controlId = esc(
    options.controlId ??
      (originalControlId
        ? `ACK${originalControlId}`.slice(0, 20)
        : `ACK${now.getTime().toString(36).toUpperCase()}`),
    d,
  );
  const messageType = versionAtLeast(version, '2.4')
    ? ['ACK', trigger, 'ACK'].join(d.component)
    : trigger
      ? `ACK${d.component}${trigger}`
      : 'ACK';
  const processingId = first(f(11)) || 'P';
  const encoding = `${d.component}${d.repetition}${d.escape}${d.subcomponent}`;
  const msh = [
    'MSH',
    encoding,
    first(f(5)) || esc(options.application ?? 'RADFLOW', d),
    first(f(6)) || esc(options.facility ?? 'RADFLOW', d),
    first(f(3)),
    first(f(4)),
    hl7Now(now),
    '',
    messageType,
    controlId,
    processingId,
    esc(version, d),
  ].join(d.field);

  // MSA-3 (text message) is withdrawn from v2.7: there the reason is in ERR-8 only.
  const text = error && !versionAtLeast(version, '2.7') ? esc(error.reason.slice(0, 80), d) : '';
  // MSA-2 and MSH-9's trigger are copied as the original wrote them (same delimiters, escapes kept).
  const msa = ['MSA', code, originalControlId || HL7_NULL, text]
    .join(d.field)
    .replace(new RegExp(`${escapeRegExp(d.field)}+$`), '');
  const segments = [msh, msa];
  if (error) segments.push(errSegment(error, version, d));
  return `${segments.join('\r')}\r`;
}

function errSegment(error: InboundMessageError, version: string, d: Delimiters): string {
  const location = errorLocation(error.location, d);
  const { code, text } = errorConditionOf(error.code);
  const condition = [code, esc(text, d), 'HL70357'];
  if (versionAtLeast(version, '2.5')) {
    // ERR-2 location, ERR-3 condition (CWE), ERR-4 severity, ERR-7 diagnostic, ERR-8 user message.
    return [
      'ERR',
      '',
      location,
      condition.join(d.component),
      'E',
      '',
      '',
      esc(error.code, d),
      esc(error.reason, d),
    ].join(d.field);
  }
  // v2.3/2.4 ERR-1 (ELD): segment^sequence^field^code&text&system.
  const [segment = '', sequence = '', fieldPos = ''] = location.split(d.component);
  return ['ERR', [segment, sequence, fieldPos, condition.join(d.subcomponent)].join(d.component)].join(
    d.field,
  );
}

/** "OBR[2] OBR-3" / "MSH-9" / "PID" -> ERL "OBR^2^3". */
function errorLocation(location: string | undefined, d: Delimiters): string {
  if (!location) return '';
  const m =
    /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?(?:[ ]?\1?-?(\d+))?/.exec(location) ??
    /^([A-Z][A-Z0-9]{2})-(\d+)/.exec(location);
  if (!m) return '';
  const segment = m[1] ?? '';
  const sequence = m[2] ?? '1';
  const fieldPos = m[3] ?? '';
  return fieldPos ? [segment, sequence, fieldPos].join(d.component) : [segment, sequence].join(d.component);
}

function readOriginalHeader(original: Uint8Array | string): OriginalHeader | undefined {
  const head =
    typeof original === 'string'
      ? original.slice(0, 4096)
      : new TextDecoder('windows-1252').decode(original.subarray(0, 4096));
  // eslint-disable-next-line no-control-regex -- MLLP start block (0x0B) left on by senders
  const start = head.replace(/^[\s\u000b\ufeff]+/, '');
  if (!start.startsWith('MSH')) return undefined;
  const delimiters = readDelimiters(start);
  if (!('field' in delimiters)) return undefined;
  const line = start.split(/[\r\n]/, 1)[0] ?? '';
  // fields[n - 1] is MSH-n: MSH-1 is the separator itself.
  const parts = line.split(delimiters.field);
  const fields = [delimiters.field, ...parts.slice(1)];
  return { delimiters, fields };
}

function esc(value: string, d: Delimiters): string {
  let out = '';
  for (const ch of value) {
    if (ch === d.escape) out += `${d.escape}E${d.escape}`;
    else if (ch === d.field) out += `${d.escape}F${d.escape}`;
    else if (ch === d.component) out += `${d.escape}S${d.escape}`;
    else if (ch === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (ch === d.repetition) out += `${d.escape}R${d.escape}`;
    else if (ch === '\r' || ch === '\n') out += ' ';
    else out += ch;
  }
  return out;
}

function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (Number.isNaN(x)) return false;
    if (x !== y) return x > y;
  }
  return true;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
