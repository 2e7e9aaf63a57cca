import {
  InboundMessageError,
  analyzeReportText,
  canonicalCodingSystem,
  isStandardProcedureSystem,
  parseSections,
  patientKey,
  type RadiologyReport,
  type ReportSections,
  type ReportStatus,
  type ReportTextAnalysis,
  type SectionKey,
} from '@radflow/reports';
import type { HL7Node } from 'node-hl7-client';
import type { CharsetFallback } from './charset.ts';
import type { Delimiters } from './delimiters.ts';
import { decodeEscapes } from './escapes.ts';
import {
  Hl7Structure,
  component,
  fieldCount,
  fieldRaw,
  firstComponent,
  repetitions,
  subcomponent,
  type Hl7Segment,
} from './hl7-structure.ts';
import { openEnvelope, type MessageEnvelope } from './message-envelope.ts';
import { readObx, type UnusedPart } from './obx-content.ts';
import { groupOrders, type OrderGroup } from './oru-groups.ts';
import { readResultInterpreter } from './result-interpreter.ts';
import { mapResultStatus } from './result-status.ts';
import { hl7TimestampToIso } from './timestamps.ts';

/** A field that may carry the accession number, e.g. "OBR-3" (filler order number) or "OBR-18" (placer field 1). */
export type AccessionField = `${'OBR' | 'ORC'}-${number}`;

export interface ReadOruOptions {
  /** Larger inputs are refused with OVERSIZED before any parsing. */
  maxBytes: number;
  /** Salt for patient.key (see patientKey). */
  patientKeySalt: string;
  /** Character set of messages whose MSH-18 is empty. Default UTF-8 (windows-1252 if the bytes are not UTF-8). */
  charsetFallback?: CharsetFallback;
  /** Where each sender puts the accession, in order of preference. Default OBR-3, OBR-18, ORC-3, OBR-2, ORC-2. */
  accessionFields?: readonly AccessionField[];
  /**
   * PID-3 (and OBR-32) assigning authority -> identifier system (e.g. "HOSP" -> "urn:oid:1.2.3"), so HL7 and FHIR
   * keys agree.
   */
  identifierSystems?: Readonly<Record<string, string>>;
  /** OBR-25 code -> status, for senders that use a code their own way. */
  resultStatusMap?: Readonly<Record<string, ReportStatus>>;
  /**
   * Also read the patient's name (PID-5) into patient.name, for PID-5 of the outbound ORU^R01. Off by default:
   * the name is PHI that only that message needs, so only the pipeline's entry (readInbound) asks for it.
   */
  keepPatientName?: boolean;
}

export type OruReadResult =
  | { ok: true; report: RadiologyReport; reports: RadiologyReport[] }
  | { ok: false; error: InboundMessageError };

export const DEFAULT_ACCESSION_FIELDS: readonly AccessionField[] = [
  'OBR-3',
  'OBR-18',
  'ORC-3',
  'OBR-2',
  'ORC-2',
];

const SUPPORTED_VERSION = /^2\.[1-9](?:\.\d{1,2})?$/;
const PATIENT_ID_TYPES = new Set(['MR', 'MRN', 'PI', 'PT', 'PN']);

/**
 * Read one HL7 v2 ORU^R01 (v2.3 to v2.5.1; other 2.x versions are read the same way) into canonical reports.
 * Each OBR (order group) is one report, in message order; `report` is the first. Any failure is a typed
 * InboundMessageError naming what is wrong and where, never a throw.
 */
export function readOruR01(input: Uint8Array | string, options: ReadOruOptions): OruReadResult {
  if (options.patientKeySalt.length === 0) throw new Error('readOruR01: patientKeySalt must not be empty');
  try {
    return read(input, options);
  } catch (error) {
    // node-hl7-client throws on some structures it cannot split; never let that escape as a crash.
    const kind = error instanceof Error ? error.name : typeof error;
    return {
      ok: false,
      error: new InboundMessageError('NOT_HL7', `message structure could not be parsed (${kind})`),
    };
  }
}

function read(input: Uint8Array | string, options: ReadOruOptions): OruReadResult {
  const envelope = openEnvelope(input, options.maxBytes, options.charsetFallback);
  if (envelope instanceof InboundMessageError) return fail(envelope);
  const structure = new Hl7Structure(envelope.text, envelope.delimiters);
  const msh = structure.segments[0];
  if (msh === undefined || msh.name !== 'MSH')
    return fail(new InboundMessageError('NOT_HL7', 'no MSH segment', 'MSH'));

  const truncated = truncation(structure, envelope);
  if (truncated) return fail(truncated);

  const d = envelope.delimiters;
  const text = (node: string): string => decodeEscapes(node, d, envelope.encoding).text.trim();
  const messageCode = text(firstComponent(msh, 9, 1)).toUpperCase();
  const trigger = text(firstComponent(msh, 9, 2)).toUpperCase();
  if (messageCode !== 'ORU' || (trigger !== 'R01' && trigger !== '')) {
    const seen = [messageCode, trigger].filter((p) => p !== '').join('^') || '(empty)';
    return fail(
      new InboundMessageError(
        'WRONG_MESSAGE_TYPE',
        `MSH-9 message type is ${seen.slice(0, 20)}, expected ORU^R01`,
        'MSH-9',
      ),
    );
  }
  const version = text(firstComponent(msh, 12, 1));
  if (!SUPPORTED_VERSION.test(version)) {
    return fail(
      new InboundMessageError(
        'UNSUPPORTED_VERSION',
        `MSH-12 version ${JSON.stringify(version.slice(0, 12))} is not HL7 v2.x`,
        'MSH-12',
      ),
    );
  }
  const messageId = text(fieldRaw(msh, 10));
  if (messageId === '')
    return fail(new InboundMessageError('MISSING_FIELD', 'MSH-10 message control id is empty', 'MSH-10'));
  if (!structure.first('PID'))
    return fail(new InboundMessageError('MISSING_SEGMENT', 'no PID segment', 'PID'));
  if (!structure.first('OBR'))
    return fail(new InboundMessageError('MISSING_SEGMENT', 'no OBR segment', 'OBR'));

  const grouped = groupOrders(structure.segments);
  const messageTime = hl7TimestampToIso(text(firstComponent(msh, 7, 1)));
  const source: RadiologyReport['source'] = { kind: 'hl7v2', messageId, hl7Version: version };
  const sendingApplication = text(firstComponent(msh, 3, 1)) || text(firstComponent(msh, 3, 2));
  const sendingFacility = text(firstComponent(msh, 4, 1)) || text(firstComponent(msh, 4, 2));
  if (sendingApplication) source.sendingApplication = sendingApplication;
  if (sendingFacility) source.sendingFacility = sendingFacility;

  const reports: RadiologyReport[] = [];
  for (const group of grouped.groups) {
    const report = readGroup(group, {
      source,
      messageTime,
      envelope,
      options,
      messageUnused: grouped.unused,
    });
    if (report instanceof InboundMessageError) return fail(report);
    reports.push(report);
  }
  const first = reports[0];
  if (first === undefined) return fail(new InboundMessageError('MISSING_SEGMENT', 'no OBR segment', 'OBR'));
  return { ok: true, report: first, reports };
}

interface GroupContext {
  source: RadiologyReport['source'];
  messageTime: string | undefined;
  envelope: MessageEnvelope;
  options: ReadOruOptions;
  messageUnused: UnusedPart[];
}

function readGroup(group: OrderGroup, ctx: GroupContext): RadiologyReport | InboundMessageError {
  const d = ctx.envelope.delimiters;
  const encoding = ctx.envelope.encoding;
  const decode = (raw: string): string => decodeEscapes(raw, d, encoding).text.trim();
  const obrAt = `OBR[${group.obr.occurrence}]`;
  const unused: UnusedPart[] = [...ctx.messageUnused];

  // Report text: OBX and NTE values in message order; OBX-3 may name the section a run of OBX belongs to.
  const parts: Array<{ lines: string[]; section: SectionKey | undefined }> = [];
  const obxStatuses: string[] = [];
  for (const segment of group.content) {
    if (segment.name === 'NTE') {
      const reps = repetitions(segment, 3);
      const noteLines =
        reps.length === 0 ? [''] : reps.map((rep) => decodeEscapes(rep.toRaw(), d, encoding).text);
      parts.push({ lines: noteLines.flatMap((line) => line.split(/\r\n?|\n/)), section: undefined });
      continue;
    }
    const obx = readObx(segment, d, encoding);
    unused.push(...obx.unused);
    if (obx.lines === undefined) continue;
    if (obx.resultStatus !== '') obxStatuses.push(obx.resultStatus);
    parts.push({ lines: obx.lines.flatMap((line) => line.split(/\r\n?|\n/)), section: obx.section });
  }
  const reportText = parts.flatMap((p) => p.lines).join('\n');
  const { sections, priorHints } = sectionsOf(parts);
  const patient = readPatient(group.pid, d, encoding, ctx.options);
  if (patient instanceof InboundMessageError) return patient;

  const accessionFields = ctx.options.accessionFields ?? DEFAULT_ACCESSION_FIELDS;
  let accession = '';
  for (const name of accessionFields) {
    const segment = name.startsWith('OBR') ? group.obr : group.orc;
    if (!segment) continue;
    accession = decode(firstComponent(segment, Number(name.slice(4)), 1));
    if (accession !== '') break;
  }
  if (accession === '') {
    return new InboundMessageError(
      'MISSING_FIELD',
      `no accession in ${accessionFields.join(', ')}`,
      `${obrAt} ${accessionFields[0] ?? 'OBR-3'}`,
    );
  }
  const reportId =
    decode(firstComponent(group.obr, 3, 1)) ||
    (group.orc ? decode(firstComponent(group.orc, 3, 1)) : '') ||
    accession;

  const status = mapResultStatus(
    decode(firstComponent(group.obr, 25, 1)),
    obxStatuses,
    sections.addendum !== undefined,
    ctx.options.resultStatusMap,
  );
  const observedAt = timestamp(group.obr, 7, obrAt, decode, unused);
  const reportedAt = timestamp(group.obr, 22, obrAt, decode, unused);

  const report: RadiologyReport = {
    source: { ...ctx.source },
    reportId,
    reportVersion: `${status}:${reportedAt ?? ctx.messageTime ?? ctx.source.messageId}`,
    accession,
    patient,
    procedure: readProcedure(repetitions(group.obr, 4)[0], decode),
    status,
    text: reportText,
    sections,
    unusedContent: unused,
  };
  if (observedAt) report.observedAt = observedAt;
  if (reportedAt) report.reportedAt = reportedAt;
  if (priorHints) report.priorHints = priorHints;
  const interpreter = readResultInterpreter(group.obr, decode, ctx.options.identifierSystems);
  if (interpreter) report.resultInterpreter = interpreter;
  return report;
}

/**
 * Sections of a report whose OBX may be coded by section (OBX-3). Consecutive OBX with one section code form a
 * run; a run whose own text has headers of other sections is read as plain text after all. Plain text is split
 * by its headers; coded runs give their section directly, and win.
 */
function sectionsOf(
  parts: ReadonlyArray<{ lines: string[]; section: SectionKey | undefined }>,
): ReportTextAnalysis {
  const runs: Array<{ key: SectionKey | undefined; lines: string[] }> = [];
  for (const part of parts) {
    const last = runs.at(-1);
    if (last && last.key === part.section) last.lines.push(...part.lines);
    else runs.push({ key: part.section, lines: [...part.lines] });
  }
  const plain: string[] = [];
  const coded: ReportSections = {};
  for (const run of runs) {
    const runText = run.lines.join('\n');
    const parsed = run.key === undefined ? {} : parseSections(runText);
    if (run.key === undefined || Object.keys(parsed).some((key) => key !== run.key)) {
      plain.push(...run.lines);
      continue;
    }
    const content = (parsed[run.key] ?? runText).trim();
    if (content === '') continue;
    coded[run.key] = coded[run.key] ? `${coded[run.key]}\n${content}` : content;
  }
  return analyzeReportText(plain.join('\n'), coded);
}

function readPatient(
  pid: Hl7Segment | undefined,
  d: Delimiters,
  encoding: string,
  options: ReadOruOptions,
): RadiologyReport['patient'] | InboundMessageError {
  if (!pid) return new InboundMessageError('MISSING_SEGMENT', 'OBR is not preceded by a PID segment', 'PID');
  const decode = (raw: string): string => decodeEscapes(raw, d, encoding).text.trim();
  // PID-3 (patient identifier list); v2.3 senders still fill PID-2 (external id) or PID-4 (alternate id).
  for (const n of [3, 2, 4]) {
    const reps = repetitions(pid, n).filter((rep) => decode(component(rep, 1)) !== '');
    const chosen =
      reps.find((rep) => PATIENT_ID_TYPES.has(decode(component(rep, 5)).toUpperCase())) ?? reps[0];
    if (!chosen) continue;
    const value = decode(component(chosen, 1));
    const authority = decode(subcomponent(chosen, 4, 1)) || decode(subcomponent(chosen, 4, 2));
    const system = authority === '' ? undefined : (options.identifierSystems?.[authority] ?? authority);
    const identifier = system === undefined ? { value } : { system, value };
    const patient: RadiologyReport['patient'] = {
      key: patientKey(identifier, options.patientKeySalt),
      identifier,
    };
    const name = options.keepPatientName ? readPatientName(pid, decode) : undefined;
    if (name) patient.name = name;
    return patient;
  }
  return new InboundMessageError(
    'MISSING_FIELD',
    'PID-3 patient identifier is empty',
    `PID[${pid.occurrence}] PID-3`,
  );
}

/**
 * PID-5 (XPN, repeating): the repetition marked legal (XPN-7 = L), else the first that has a name (v2.5 asks for the
 * legal name first). XPN-1 is the surname (its first subcomponent from v2.4 on), XPN-2 and XPN-3 the given names.
 */
function readPatientName(
  pid: Hl7Segment,
  decode: (raw: string) => string,
): NonNullable<RadiologyReport['patient']['name']> | undefined {
  // The v2 null "" is no name either.
  const text = (raw: string): string => {
    const value = decode(raw);
    return value === '""' ? '' : value;
  };
  const names = repetitions(pid, 5)
    .map((rep) => ({
      family: text(subcomponent(rep, 1, 1)),
      given: [text(component(rep, 2)), text(component(rep, 3))].filter((g) => g !== ''),
      suffix: text(component(rep, 4)),
      prefix: text(component(rep, 5)),
      legal: text(component(rep, 7)).toUpperCase() === 'L',
    }))
    .filter((n) => n.family !== '' || n.given.length > 0);
  const chosen = names.find((n) => n.legal) ?? names[0];
  if (!chosen) return undefined;
  const name: NonNullable<RadiologyReport['patient']['name']> = {};
  if (chosen.family) name.family = chosen.family;
  if (chosen.given.length > 0) name.given = chosen.given;
  if (chosen.suffix) name.suffix = chosen.suffix;
  if (chosen.prefix) name.prefix = chosen.prefix;
  return name;
}

function readProcedure(
  rep: HL7Node | undefined,
  decode: (raw: string) => string,
): RadiologyReport['procedure'] {
  if (!rep) return {};
  const primary = {
    code: decode(component(rep, 1)),
    text: decode(component(rep, 2)),
    system: canonicalCodingSystem(decode(component(rep, 3))),
  };
  const alternate = {
    code: decode(component(rep, 4)),
    text: decode(component(rep, 5)),
    system: canonicalCodingSystem(decode(component(rep, 6))),
  };
  const useAlternate =
    alternate.code !== '' &&
    (primary.code === '' ||
      (!isStandardProcedureSystem(primary.system) && isStandardProcedureSystem(alternate.system)));
  const chosen = useAlternate ? alternate : primary;
  const procedure: RadiologyReport['procedure'] = {};
  if (chosen.code) procedure.code = chosen.code;
  if (chosen.code && chosen.system) procedure.system = chosen.system;
  const text = primary.text || alternate.text;
  if (text) procedure.text = text;
  return procedure;
}

function timestamp(
  segment: Hl7Segment,
  n: number,
  at: string,
  decode: (raw: string) => string,
  unused: UnusedPart[],
): string | undefined {
  const value = decode(firstComponent(segment, n, 1));
  if (value === '') return undefined;
  const iso = hl7TimestampToIso(value);
  if (iso === undefined)
    unused.push({ location: `${at} ${segment.name}-${n}`, reason: 'timestamp not understood; not carried' });
  return iso;
}

/**
 * A message cut short usually ends without a segment terminator and with a last segment shorter than its
 * kind should be (an OBX without OBX-11, an MSH without MSH-12), or without the segments an ORU must have.
 */
function truncation(structure: Hl7Structure, envelope: MessageEnvelope): InboundMessageError | undefined {
  if (envelope.endsWithTerminator) return undefined;
  const segments = structure.segments;
  const last = segments.at(-1);
  if (!last) return undefined;
  const cut = (what: string): InboundMessageError =>
    new InboundMessageError('TRUNCATED', `message ends early: ${what}`, `${last.name}[${last.occurrence}]`);
  if (last.name === 'MSH' && fieldCount(last) < 12) return cut('MSH has no version (MSH-12)');
  const lastRaw = envelope.segmentLines.at(-1) ?? '';
  if (unbalancedEscape(lastRaw, envelope.delimiters))
    return cut('last segment stops inside an escape sequence');
  if (last.name === 'OBX') {
    const others = segments.filter((s) => s.name === 'OBX' && s !== last).map(fieldCount);
    const expected = others.length > 0 ? Math.min(11, Math.max(...others)) : 11;
    if (fieldCount(last) < expected)
      return cut(`last OBX has ${fieldCount(last)} of at least ${expected} fields`);
  }
  if (!structure.first('PID') || !structure.first('OBR')) return cut('no PID or OBR before the end of input');
  return undefined;
}

function unbalancedEscape(line: string, d: Delimiters): boolean {
  const lastField = line.slice(line.lastIndexOf(d.field) + 1);
  let count = 0;
  for (const ch of lastField) if (ch === d.escape) count++;
  return count % 2 === 1;
}

function fail(error: InboundMessageError): { ok: false; error: InboundMessageError } {
  return { ok: false, error };
}
