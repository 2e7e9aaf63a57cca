/**
 * Removes protected health information from report text before it can reach a training set.
 *
 * Replaced spans become `XXXX`, the token Open-i's de-identification already uses, so scrubbed feedback reads like
 * the data the model was trained on and Open-i's own `XXXX` tokens pass through untouched. Rules are ordered: the
 * most specific shapes (emails, URLs, phone numbers, labelled identifiers, addresses) go first so that later,
 * looser rules (names, long digit runs) never see their pieces. Titles, labels and suffixes around a span are kept
 * ("Dr. XXXX", "MRN: XXXX", "XXXX-year-old") so the sentence stays grammatical.
 *
 * Limits: a bare name with no title, credential or cue phrase ("John Smith said") is not recognised: there is no
 * named-entity model here. Scrubbing errs on the side of removing too much (a "3/6" ratio reads as a date).
 */
export type PhiKind =
  'email' | 'url' | 'ip' | 'phone' | 'identifier' | 'address' | 'date' | 'time' | 'age' | 'name';

export const PHI_KINDS: readonly PhiKind[] = [
  'email',
  'url',
  'ip',
  'phone',
  'identifier',
  'address',
  'date',
  'time',
  'age',
  'name',
];

export interface ScrubResult {
  text: string;
  /** Replacements made, by kind: what an operator may log (never the values). */
  counts: Partial<Record<PhiKind, number>>;
  total: number;
}

export interface ScrubOptions {
  /** What a removed span becomes; `XXXX` by default, as in Open-i. */
  placeholder?: string;
}

export const PHI_PLACEHOLDER = 'XXXX';

interface Rule {
  kind: PhiKind;
  /**
   * Global pattern. With named groups `pre` / `phi` / `post`, only `phi` is replaced and the rest kept; without
   * them the whole match is the span.
   */
  pattern: RegExp;
}

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const STREET_SUFFIX =
  '(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Trail|Trl|Alley|Plaza)';
const CREDENTIAL_WORD = '(?:M\\.D\\.|MD|D\\.O\\.|DO|PhD|RN|NP|PA-C|MBBS|MBChB|FRCR|FACR)(?![A-Za-z])';
const CREDENTIAL =
  '(?:M\\.D\\.|MD|D\\.O\\.|DO|Ph\\.?D\\.?|R\\.N\\.|RN|N\\.P\\.|NP|PA-C|MBBS|MBChB|FRCR|FACR|RT\\(R\\))(?![A-Za-z])';
// A capitalised name word ("Smith", "O'Brien", "Smith-Jones", "McDonald") or an initial ("J.").
// The pronoun "I" is not an initial ("Dr. Smith and I discussed").
const NAME_WORD = "(?:[A-Z][A-Za-z'’-]*[A-Za-z]|[A-Z]\\.(?![A-Za-z])|(?!I\\b)[A-Z](?![A-Za-z.]))";
// The first word after a title may be in any case ("dr. smith"); an initial keeps its period.
const ANY_CASE_NAME_WORD = "(?:[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]\\.(?![A-Za-z])|[A-Za-z](?![A-Za-z.]))";
const PARTICLE = '(?:van|von|de|der|den|da|di|del|della|du|la|le|st\\.?|bin|ibn|al)';
// Later words of a name: capitalised, after up to two particles ("van der Berg"), never a credential ("MD").
const FOLLOWING_NAME_WORDS = `(?:\\s+(?:${PARTICLE}\\s+){0,2}(?!${CREDENTIAL_WORD})${NAME_WORD}){0,3}`;
// Words that follow a title or a cue phrase but are not names: roles, places, articles.
const NOT_A_NAME =
  '(?!(?:(?i:the|a|an|at|on|in|to|and|of|or|was|is|are|were|with|by|for|who|re|her|his|their|this|that|on-call|oncall|' +
  'emergency|radiology|department|dept|nurse|nursing|physician|clinician|team|service|referring|ordering|attending|' +
  'resident|provider|staff|patient|pt|floor|unit|office|clinic)|ER|ED|ICU|CCU|OR|PACU|NICU)\\b)';

const RULES: Rule[] = [
  { kind: 'email', pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g },
  { kind: 'url', pattern: /\b(?:https?:\/\/|www\.)[^\s<>"']*[^\s<>"'.,;:!?)\]]/gi },
  { kind: 'ip', pattern: /\b(?:\d{1,3}\.){3}\d{1,3}\b/g },
  // SSN shape before phone numbers, which it would otherwise half-match.
  { kind: 'identifier', pattern: /\b\d{3}-\d{2}-\d{4}\b/g },
  {
    kind: 'phone',
    pattern:
      /(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b(?:\s*(?:x|ext\.?|extension)\s*\d{1,6}\b)?/gi,
  },
  {
    kind: 'phone',
    pattern:
      /(?<pre>\b(?:ext|extension|pager|beeper|pgr|phone|tel|fax|cell|callback)\.?\s*(?:#|no\.?|number)?\s*[:#]?\s*)(?<phi>\d[\d\s.-]{2,14}\d)\b/gi,
  },
  {
    kind: 'identifier',
    pattern: new RegExp(
      '(?<pre>\\b(?:MRN|MR\\s?#|medical\\s+record(?:\\s+(?:number|no\\.?|#))?|accession(?:\\s+(?:number|no\\.?|#))?|acc\\s?#|acc\\.|' +
        'patient\\s+id|pt\\.?\\s+id|ID|SSN|FIN|CSN|acct|account(?:\\s+(?:number|no\\.?|#))?|encounter(?:\\s+(?:id|number|no\\.?|#))|' +
        'visit\\s+(?:id|number|no\\.?|#)|order\\s+(?:id|number|no\\.?|#)|study\\s+(?:id|number|no\\.?|#))' +
        '\\s*(?:number|no\\.?|#)?\\s*[:#=]?\\s*)(?<phi>[A-Z0-9][A-Z0-9-]*\\d[A-Z0-9-]*)\\b',
      'gi',
    ),
  },
  { kind: 'address', pattern: /\bP\.?\s?O\.?\s*Box\s+\d+\b/gi },
  {
    kind: 'address',
    pattern: new RegExp(
      `\\b\\d{1,6}\\s+(?:[NSEW]\\.?\\s+)?(?:[A-Z][A-Za-z'’-]*[A-Za-z]\\s+){1,4}${STREET_SUFFIX}\\b` +
        '(?:\\.?,?\\s*(?:Apt|Apartment|Suite|Ste|Unit|#)\\.?\\s*[A-Za-z0-9-]+)?' +
        '(?:,\\s*[A-Z][A-Za-z]+(?:\\s[A-Z][A-Za-z]+){0,2})?(?:,\\s*[A-Z]{2}\\b)?(?:\\s+\\d{5}(?:-\\d{4})?)?',
      'g',
    ),
  },
  { kind: 'address', pattern: /\b[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2},\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?\b/g },
  // Dates: ISO (with an optional time), numeric with a year, month names, and bare month/day.
  {
    kind: 'date',
    pattern:
      /\b(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g,
  },
  { kind: 'date', pattern: /\b\d{1,2}[-/]\d{1,2}[-/](?:\d{4}|\d{2})\b/g },
  { kind: 'date', pattern: /\b\d{1,2}\.\d{1,2}\.(?:19|20)\d{2}\b/g },
  {
    kind: 'date',
    pattern: new RegExp(`\\b${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+(?:19|20)\\d{2})?\\b`, 'gi'),
  },
  {
    kind: 'date',
    pattern: new RegExp(
      `\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}\\.?(?:,?\\s+(?:19|20)\\d{2})?\\b`,
      'gi',
    ),
  },
  { kind: 'date', pattern: new RegExp(`\\b${MONTH}\\.?,?\\s+(?:of\\s+)?(?:19|20)\\d{2}\\b`, 'gi') },
  // Bare month/day, but not a ratio inside a number ("16.2/24.7"), a mixed number ("1-1/2") or a common fraction.
  {
    kind: 'date',
    pattern:
      /(?<![\d.\-/])(?!(?:1\/[234]|2\/3|3\/4)\b)\b(?:0?[1-9]|1[0-2])\/(?:(?:19|20)\d{2}|0?[1-9]|[12]\d|3[01])\b(?![./]\d)/g,
  },
  // Times (Open-i removed them too: "at XXXX hours").
  {
    kind: 'time',
    pattern: /\b(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s*[ap]\.?(?:\s?m\b\.?)?(?![A-Za-z]))?/gi,
  },
  { kind: 'time', pattern: /\b(?:1[0-2]|0?[1-9])\s*[ap]\.?m\b\.?/gi },
  { kind: 'time', pattern: /\b(?<phi>(?:[01]\d|2[0-3])[0-5]\d)(?<post>\s*(?:hours|hrs|h)\b)/gi },
  // Ages: every age, as Open-i does ("XXXX-year-old"); Safe Harbor requires at least those over 89.
  { kind: 'age', pattern: /\b(?<phi>\d{1,3})(?<post>\s?-?\s?(?:years?|yrs?|y)[\s-]?old\b)/gi },
  { kind: 'age', pattern: /(?<pre>\b(?:age|aged)\s*:?\s*)(?<phi>\d{1,3})\b/gi },
  { kind: 'age', pattern: /\b(?<phi>\d{1,3})(?<post>\s?(?:yo|y\/o|y\.o\.)(?![A-Za-z]))/gi },
  // Names: after a title, before a credential, after a cue phrase ("signed by", "discussed with"). Name words are
  // matched case-sensitively (capitalised) so the sentence after a name is left alone; titles and cues in any case.
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<pre>\\b(?i:dr|mr|mrs|ms|mx|prof)\\b\\.?\\s+)${NOT_A_NAME}(?<phi>${ANY_CASE_NAME_WORD}${FOLLOWING_NAME_WORDS})`,
      'g',
    ),
  },
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<pre>\\b(?i:doctor|miss|professor)\\s+)${NOT_A_NAME}(?<phi>${NAME_WORD}${FOLLOWING_NAME_WORDS})`,
      'g',
    ),
  },
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<pre>\\b(?i:(?:(?:electronically\\s+)?signed|dictated|transcribed|read|interpreted|reviewed|verified|approved|attested|` +
        `discussed|communicated|called|paged|notified|conveyed|relayed|spoke|spoken)\\s+(?:by|with|to))\\s*:?\\s+` +
        `(?:(?i:dr|doctor|mr|mrs|ms|mx|prof|professor)\\.?\\s+)?)` +
        `${NOT_A_NAME}(?<phi>${NAME_WORD}${FOLLOWING_NAME_WORDS})`,
      'g',
    ),
  },
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<pre>\\b(?i:attending|resident|fellow|radiologist|technologist|tech|physician|referring\\s+physician|ordering\\s+(?:physician|provider)|` +
        `provider|reader|author|transcriptionist|patient\\s+name|patient|name)\\s*:\\s*)${NOT_A_NAME}(?<phi>${ANY_CASE_NAME_WORD}${FOLLOWING_NAME_WORDS})`,
      'g',
    ),
  },
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<pre>\\b(?i:physician|nurse|radiologist|resident|attending|fellow|technologist|clinician|surgeon|provider)\\s+)` +
        `${NOT_A_NAME}(?<phi>${NAME_WORD}${FOLLOWING_NAME_WORDS})`,
      'g',
    ),
  },
  {
    kind: 'name',
    pattern: new RegExp(`(?<phi>${NAME_WORD}(?:\\s+${NAME_WORD}){0,3})(?<post>,?\\s+${CREDENTIAL})`, 'g'),
  },
  // Unlabelled identifiers: 5+ digit runs (a year has 4) and codes mixing letters with 4+ digits.
  { kind: 'identifier', pattern: /\b[A-Za-z]{0,4}-?\d{5,}[A-Za-z0-9]*\b/g },
  {
    kind: 'identifier',
    pattern: /\b(?=(?:[A-Za-z]*\d){4})(?=[A-Za-z0-9]*[A-Za-z])(?![\dx]+(?:mm|cm)\b)[A-Za-z0-9]{6,}\b/g,
  },
];

function isOnlyPlaceholders(span: string, placeholder: string): boolean {
  return (
    span
      .split(placeholder)
      .join('')
      .replace(/[^A-Za-z0-9]/g, '') === ''
  );
}

/** Replaces PHI in report text; the same text always gives the same result, and scrubbing twice changes nothing more. */
export function scrubPhi(text: string, options: ScrubOptions = {}): ScrubResult {
  const placeholder = options.placeholder ?? PHI_PLACEHOLDER;
  const counts: Partial<Record<PhiKind, number>> = {};
  let out = text;
  for (const rule of RULES) {
    out = out.replace(rule.pattern, (match: string, ...args: unknown[]) => {
      const groups = args.at(-1) as Record<string, string | undefined> | undefined;
      const hasGroups = typeof groups === 'object' && groups !== null && 'phi' in groups;
      const span = hasGroups ? (groups.phi ?? '') : match;
      if (span === '' || isOnlyPlaceholders(span, placeholder)) return match;
      counts[rule.kind] = (counts[rule.kind] ?? 0) + 1;
      return hasGroups ? `${groups.pre ?? ''}${placeholder}${groups.post ?? ''}` : placeholder;
    });
  }
  const total = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
  return { text: out, counts, total };
}
