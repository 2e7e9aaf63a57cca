/**
 * Report section headers as radiologists and dictation systems actually write them.
 * Each phrase is matched case-insensitively with flexible spacing; combinations such as
 * "INDICATION/CLINICAL QUESTION" or "HISTORY AND INDICATION" resolve to one key when all parts agree.
 */
export type SectionKey = 'indication' | 'comparison' | 'technique' | 'findings' | 'impression' | 'addendum';

/**
 * The section a coded result's title names when its code is not a known section code (OBX-3's text in HL7,
 * Observation.code's text and displays in FHIR): one reading for both formats.
 */
export function sectionOfTitle(title: string): SectionKey | undefined {
  const text = title.toLowerCase();
  if (/addend/.test(text)) return 'addendum';
  if (/impression|conclusion/.test(text)) return 'impression';
  if (/finding/.test(text)) return 'findings';
  if (/comparison/.test(text)) return 'comparison';
  if (/indication|clinical (?:history|info)|reason for/.test(text)) return 'indication';
  if (/technique/.test(text)) return 'technique';
  return undefined;
}

/** Headers that end the current section but carry nothing we keep as a section (exam title, recommendations...). */
export type HeaderKey = SectionKey | 'other';

/** LOINC codes that name a radiology report section (OBX-3 in HL7, Observation.code in FHIR). */
export const LOINC_SECTION_CODES: Readonly<Record<string, SectionKey>> = {
  '18782-3': 'findings',
  '59776-5': 'findings',
  '19005-8': 'impression',
  '18834-2': 'comparison',
  '55752-0': 'indication',
  '18785-6': 'indication',
  '11329-0': 'indication',
  '55111-9': 'technique',
};

export const SECTION_HEADER_PHRASES: Readonly<Record<HeaderKey, readonly string[]>> = {
  indication: [
    'indication',
    'indications',
    'clinical indication',
    'clinical indications',
    'indication for exam',
    'indication for examination',
    'indication for study',
    'history',
    'clinical history',
    'medical history',
    'patient history',
    'relevant history',
    'hx',
    'clinical information',
    'clinical info',
    'clinical data',
    'clinical details',
    'clinical notes',
    'clinical question',
    'clinical statement',
    'reason',
    'reason for exam',
    'reason for the exam',
    'reason for examination',
    'reason for study',
    'reason for request',
    'reason for referral',
  ],
  comparison: [
    'comparison',
    'comparisons',
    'comparison study',
    'comparison studies',
    'comparison exam',
    'comparison exams',
    'comparison examination',
    'comparison films',
    'comparison images',
    'prior study',
    'prior studies',
    'prior exam',
    'prior exams',
    'prior examinations',
    'priors',
  ],
  technique: [
    'technique',
    'techniques',
    'exam technique',
    'examination technique',
    'imaging technique',
    'views',
    'protocol',
  ],
  findings: ['findings', 'finding', 'description', 'discussion', 'observations'],
  impression: [
    'impression',
    'impressions',
    'final impression',
    'conclusion',
    'conclusions',
    'summary',
    'opinion',
    'interpretation',
    'diagnosis',
    'assessment',
  ],
  addendum: ['addendum', 'addenda', 'addendum report', 'report addendum', 'addended report'],
  other: [
    'exam',
    'examination',
    'exam date',
    'procedure',
    'study',
    'recommendation',
    'recommendations',
    'follow up',
    'follow-up',
    'critical result',
    'critical results',
    'communication',
    'original report',
  ],
};

/**
 * Lines that close a section: signature blocks and dictation trailers.
 * What follows them (until the next header) belongs to no section.
 */
export const SECTION_TERMINATOR =
  /^[ \t*_-]*(?:(?:corrected|amended|revised|addended|final|preliminary) report\b[ \t*_:-]*(?:-[ \t]*)?(?:electronically|signed|dictated)|electronically signed|e-signed|digitally signed|signed by|signed:|signed on|signed electronically|dictated by|dictated:|dictated on|dictated date|dictating|transcribed by|transcribed:|transcribed date|transcriptionist|reviewed by|verified by|approved by|attending radiologist|attending:|radiologist:|interpreting radiologist|reading radiologist|interpreted by|read by|report signed|final report signed|i have personally reviewed|wsn:|end of (?:addendum|report|impression)|original report|\*+ ?end\b)/i;

export function headerKeyOf(phrase: string): HeaderKey | undefined {
  const normal = phrase.toLowerCase().replace(/\s+/g, ' ').trim();
  const parts = normal.split(/\s*(?:\/|&|\band\b|\bor\b)\s*/).filter((p) => p.length > 0);
  const keys = new Set<HeaderKey>();
  for (const part of parts) {
    const key = LOOKUP.get(part);
    if (key === undefined) return undefined;
    keys.add(key);
  }
  if (keys.size === 1) return [...keys][0];
  // "FINDINGS/IMPRESSION": the text is both.
  if (keys.size === 2 && keys.has('findings') && keys.has('impression')) return 'impression';
  // "HISTORY/COMPARISON" and similar mixes: keep the first.
  return parts[0] === undefined ? undefined : LOOKUP.get(parts[0]);
}

/** True for combined "FINDINGS/IMPRESSION"-style headers whose text is both findings and impression. */
export function isFindingsAndImpression(phrase: string): boolean {
  const normal = phrase.toLowerCase();
  return /finding/.test(normal) && /impression|conclusion/.test(normal);
}

const LOOKUP = new Map<string, HeaderKey>(
  Object.entries(SECTION_HEADER_PHRASES).flatMap(([key, phrases]) =>
    phrases.map((phrase) => [phrase, key as HeaderKey] as const),
  ),
);

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One alternation of every phrase, longest first, words joined by flexible whitespace. */
export const HEADER_PHRASE_PATTERN: string = (() => {
  const phrases = [...LOOKUP.keys()].sort((a, b) => b.length - a.length);
  const single = phrases.map((p) => p.split(' ').map(escapeRegExp).join('[ \\t]+')).join('|');
  // Combined headers: "INDICATION/CLINICAL QUESTION", "HISTORY AND INDICATION", "FINDINGS & IMPRESSION".
  return `(?:${single})(?:[ \\t]*(?:/|&|and|or)[ \\t]*(?:${single}))*`;
})();
