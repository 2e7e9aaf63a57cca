import { LOINC_SECTION_CODES, sectionOfTitle, type SectionKey } from '@radflow/reports';
import { decodeEscapes } from './escapes.ts';
import type { Delimiters } from './delimiters.ts';
import { component, field, fieldRaw, firstComponent, repetitions, type Hl7Segment } from './hl7-structure.ts';

export interface UnusedPart {
  location: string;
  reason: string;
}

export interface ObxContent {
  /** Lines this OBX contributes to the report text (one per repetition; FT line breaks decoded). */
  lines: string[] | undefined;
  /** The report section the sender coded this OBX as (OBX-3), if any. */
  section: SectionKey | undefined;
  /** OBX-11 observation result status as sent. */
  resultStatus: string;
  unused: UnusedPart[];
}

const NARRATIVE_TYPES = new Set(['TX', 'FT', 'ST', 'TEXT', '']);
const CODED_TYPES = new Set(['CE', 'CWE', 'CNE', 'CF']);

/** OBX-3 codes that name a report section: LOINC radiology section codes and the HL7 "&IMP"-style suffixes. */
const SECTION_CODES: Record<string, SectionKey> = {
  ...LOINC_SECTION_CODES,
  IMP: 'impression',
  ADT: 'addendum',
  FND: 'findings',
  HIS: 'indication',
  IND: 'indication',
  TCM: 'technique',
};

const DICOM_REFERENCE_CODES = new Set([
  '113014',
  '112002',
  '113012',
  '121018',
  '121139',
  '113000',
  '113001',
  '113002',
]);
const UID = /^\d+(?:\.\d+){3,}$/;

/** Statuses whose OBX must not be read as report content (deleted, withdrawn, could not be obtained). */
const NOT_CARRIED_STATUS: Record<string, string> = {
  D: 'OBX-11 D: result deleted by the sender',
  W: 'OBX-11 W: result withdrawn (wrong patient or entered in error)',
  X: 'OBX-11 X: result could not be obtained',
};

export function readObx(segment: Hl7Segment, delimiters: Delimiters, encoding: string): ObxContent {
  const at = `OBX[${segment.occurrence}]`;
  const valueType = firstComponent(segment, 2).trim().toUpperCase();
  const resultStatus = firstComponent(segment, 11).trim().toUpperCase();
  const section = sectionOf(segment, delimiters, encoding);
  const unused: UnusedPart[] = [];
  const values = repetitions(segment, 5);

  const withdrawn = NOT_CARRIED_STATUS[resultStatus];
  if (withdrawn !== undefined) {
    unused.push({ location: at, reason: `${withdrawn}; not carried into text` });
    return { lines: undefined, section, resultStatus, unused };
  }

  const code = firstComponent(segment, 3, 1);
  const codeText = firstComponent(segment, 3, 2);
  if (
    DICOM_REFERENCE_CODES.has(code) ||
    /instance uid|study uid|series uid/i.test(codeText) ||
    (valueType === 'ST' && values.length === 1 && UID.test(fieldRaw(segment, 5).trim()))
  ) {
    unused.push({ location: `${at} OBX-5`, reason: 'DICOM UID reference, not report text' });
    return { lines: undefined, section: undefined, resultStatus, unused };
  }

  let lines: string[] | undefined;
  if (NARRATIVE_TYPES.has(valueType)) {
    // Narrative values are free text: a stray component or subcomponent separator is the writer's character.
    lines =
      values.length === 0 ? [''] : values.map((rep) => decode(rawOf(rep), delimiters, encoding, at, unused));
  } else if (CODED_TYPES.has(valueType)) {
    lines = values.map((rep) => {
      const text = component(rep, 2) || component(rep, 9) || component(rep, 5) || component(rep, 1);
      return decode(text, delimiters, encoding, at, unused);
    });
    if (values.some((rep) => component(rep, 1) !== '' || component(rep, 3) !== '')) {
      unused.push({
        location: `${at} OBX-5`,
        reason: `${valueType} code and coding system not carried (display text kept)`,
      });
    }
  } else {
    unused.push({
      location: `${at} OBX-5`,
      reason: `value type ${valueType.slice(0, 8)} is not narrative text; not carried`,
    });
  }
  if (lines !== undefined && fieldRaw(segment, 6).trim() !== '') {
    unused.push({ location: `${at} OBX-6`, reason: 'units not carried into text' });
  }
  return { lines, section, resultStatus, unused };
}

function sectionOf(segment: Hl7Segment, delimiters: Delimiters, encoding: string): SectionKey | undefined {
  const rep = field(segment, 3).toArray()[0];
  if (rep === undefined) return undefined;
  for (const c of [1, 4]) {
    const code = component(rep, c).trim();
    // "71020&IMP": the HL7 v2 radiology habit of suffixing the procedure code with the report part.
    const suffix = /&([A-Z]{3})$/.exec(code)?.[1] ?? (/^[A-Z]{3}$/.test(code) ? code : undefined);
    const key = SECTION_CODES[code] ?? (suffix !== undefined ? SECTION_CODES[suffix] : undefined);
    if (key !== undefined) return key;
  }
  return sectionOfTitle(decodeEscapes(component(rep, 2), delimiters, encoding).text);
}

function rawOf(rep: { toRaw(): string }): string {
  return rep.toRaw();
}

function decode(
  raw: string,
  delimiters: Delimiters,
  encoding: string,
  at: string,
  unused: UnusedPart[],
): string {
  const { text, dropped } = decodeEscapes(raw, delimiters, encoding);
  if (dropped.length > 0) {
    unused.push({
      location: `${at} OBX-5`,
      reason: `escape sequences ${[...new Set(dropped)].join(', ')} (locally defined or charset switch) not decoded`,
    });
  }
  return text;
}
