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
import { createRequire } from 'node:module';

export type PhiKind =
  'email' | 'url' | 'ip' | 'phone' | 'identifier' | 'address' | 'place' | 'date' | 'time' | 'age' | 'name';

export const PHI_KINDS: readonly PhiKind[] = [
  'email',
  'url',
  'ip',
  'phone',
  'identifier',
  'address',
  'place',
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
  /** A further test of a match's named groups, for what a pattern cannot say (a given name, a town). */
  accept?: (groups: Record<string, string | undefined>) => boolean;
}

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const STREET_SUFFIX =
  '(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Trail|Trl|Alley|Plaza)';
const CREDENTIAL_WORD = '(?:M\\.D\\.|MD|D\\.O\\.|DO|PhD|RN|NP|PA-C|MBBS|MBChB|FRCR|FACR)(?![A-Za-z])';
const CREDENTIAL =
  '(?:M\\.D\\.|MD|D\\.O\\.|DO|Ph\\.?D\\.?|R\\.N\\.|RN|N\\.P\\.|NP|PA-C|MBBS|MBChB|FRCR|FACR|RT\\(R\\))(?![A-Za-z])';
// A capitalised name word ("Smith", "O'Brien", "Smith-Jones", "McDonald", "Ibáñez") or an initial ("J.").
// The pronoun "I" is not an initial ("Dr. Smith and I discussed"). Patterns using these take the u flag.
const NAME_WORD = "(?:\\p{Lu}[\\p{L}'’-]*\\p{L}|\\p{Lu}\\.(?!\\p{L})|(?!I\\b)\\p{Lu}(?![\\p{L}.]))";
// The first word after a title may be in any case ("dr. smith"); an initial keeps its period.
const ANY_CASE_NAME_WORD = "(?:\\p{L}[\\p{L}'’-]*\\p{L}|\\p{L}\\.(?!\\p{L})|\\p{L}(?![\\p{L}.]))";
const PARTICLE = '(?:van|von|de|der|den|da|di|del|della|du|la|le|st\\.?|bin|ibn|al)';
// "Smith, J." after a surname: the initial that a report puts after the comma.
const COMMA_INITIALS = '(?:,\\s*\\p{Lu}\\.(?:\\s?\\p{Lu}\\.)?)?';
// Later words of a name: capitalised, after up to two particles ("van der Berg"), never a credential ("MD").
const FOLLOWING_NAME_WORDS = `(?:\\s+(?:${PARTICLE}\\s+){0,2}(?!${CREDENTIAL_WORD})${NAME_WORD}){0,3}${COMMA_INITIALS}`;
// Clinical services, named like people in "discussed with Neurosurgery", "called to Cardiology".
const SERVICE =
  '(?:\\p{L}*(?:surgery|ology|ologist|iatry|iatrics|medicine)|interventional|cardiothoracic|thoracic|vascular|' +
  'rapid|response|trauma|hospitalist|hospital|critical|intensive|internal|family|general|primary|palliative|' +
  'infectious|transplant|respiratory|pulmonary|cardiac|cardio|oncology|hematology|ortho|neuro|urgent|charge)';
// Words that follow a title or a cue phrase but are not names: roles, services, titles, articles.
const NOT_A_NAME =
  '(?!(?:(?i:the|a|an|at|on|in|to|and|of|or|was|is|are|were|with|by|for|who|re|her|his|their|this|that|on-call|oncall|' +
  'emergency|radiology|department|dept|nurse|nursing|physician|clinician|team|service|referring|ordering|attending|' +
  `resident|provider|staff|patient|pt|floor|unit|office|clinic|dr|mr|mrs|ms|mx|prof|doctor|${SERVICE})|ER|ED|ICU|CCU|OR|PACU|NICU)\\b)`;

// A capitalised word of a proper name, for the rules that find names and places with no title or cue: "Smith",
// "O'Neil", "McAllister", "MacKenzie", "Smith-Jones", "Al-Sayed", "Ibáñez"; never a word in capitals ("CHEST").
const TITLE_WORD =
  "\\p{Lu}(?:['’]\\p{Lu})?\\p{Ll}+(?:\\p{Lu}\\p{Ll}+)?(?:-\\p{Lu}(?:['’]\\p{Lu})?\\p{Ll}+(?:\\p{Lu}\\p{Ll}+)?)*";
const FACILITY =
  '(?:Hospital|Medical\\s+Cent(?:er|re)|Health\\s+(?:Cent(?:er|re)|System)|Healthcare|Clinic|Infirmary|Imaging|' +
  'Urgent\\s+Care|Nursing\\s+Home|Rehabilitation\\s+Cent(?:er|re)|Care\\s+Cent(?:er|re)|Surg(?:ery|ical)\\s+Cent(?:er|re)|' +
  'Associates|Hospice|Medical\\s+Group|General|Memorial)';
const ROLE =
  'resident|attending|fellow|radiologist|technologist|tech|nurse|hospitalist|intern|RN|NP|PA|PA-C|MD|DO';
const SPELLED_AGE =
  '(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\\s-](?:one|two|three|four|five|six|seven|eight|nine))?|' +
  '(?:(?:one|a)\\s+)?hundred(?:\\s+and)?(?:[\\s-](?:one|two|three|four|five|six|seven|eight|nine|ten))?|' +
  'eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)';

const words = (list: string): ReadonlySet<string> => new Set(list.split(/\s+/).filter(Boolean));
// Eponyms and brand names of chest imaging that read like surnames or towns ("Hampton hump", "tetralogy of Fallot").
const EPONYMS = words(`
  kerley hampton westermark morgagni bochdalek chilaiditi harrington swan ganz pancoast hodgkin fallot schmorl dobhoff
  pleurx hickman greenfield nissen zenker poland kartagener fleischner ghon ranke golden scheuermann marfan langerhans
  mounier kuhn swyer heimlich sengstaken blakemore jackson pratt medtronic impella watchman starr edwards blalock
  taussig fontan glenn scimitar pneumocystis aspergillus klebsiella mycobacterium valsalva trendelenburg luftsichel
  macklin felson hamman mach ewing wilms virchow barrett crohn sjogren sjögren down windermere ebstein kommerell dressler
  loeffler löffler lofgren löfgren caplan wegener churg strauss goodpasture kaposi raynaud horner tietze mondor
  boerhaave mallory weiss chagas whipple lemierre pott paget hurler morquio ehlers danlos noonan eisenmenger kawasaki
  takayasu osler rendu fowler heller ivor lewis mckeown salem levin minnesota penrose foley broviac groshong quinton
  permcath tenckhoff denver hemovac bard luschka sibson seldinger veriphy mediport lasix coumadin xanax enbrel
  thanksgiving christmas easter port cath picc`);
// Lower-case words after a capitalised one that make it an eponym or a device, not a person or a town.
const EPONYM_HEADS = words(`
  sign signs syndrome disease hernia catheter catheters tube line lines position tumor tumour valve shunt filter drain
  device node nodes hump band complex focus effect anomaly diverticulum lymphoma sarcoma kyphosis fracture deformity
  classification criteria guidelines rods rod instrumentation procedure operation repair fundoplication pneumonia
  infection esophagus view projection maneuver manoeuvre technique score scale lesion pattern stage type circuit
  fissure lobe fascia space angle triangle pacemaker clip clips stent coil coils pump`);
// Capitalised words of report text that are neither names nor towns.
const NOT_PROPER = words(`
  the this that these there a an and or of in on at to from with no not none left right upper lower middle mid
  lateral frontal chest heart lung lungs findings impression indication comparison history clinical portable
  radiograph radiographs xray x-ray views view exam study report dr mr mrs ms mx prof doctor st saint mount mt
  outside prior outpatient inpatient home university children childrens department dept unit floor hospital clinic
  emergency medicine ward bay room bed campus service team north south east west northern southern eastern western
  central new old saint`);

const isServiceWord = (word: string): boolean =>
  new RegExp(`^(?:${SERVICE}|outside|the|this|diagnostic|chest|university|children['’]?s?)$`, 'iu').test(
    word,
  );

interface NameLexicon {
  given: ReadonlySet<string>;
  surnames: ReadonlySet<string>;
  /** Every other word compromise knows, with its tags: countries, states, months, everyday words. */
  tags: ReadonlyMap<string, readonly string[]>;
}

let lexicon: NameLexicon | undefined;

/**
 * Given names, surnames and the tags of other words, from the lexicon of compromise (a well-kept English NLP
 * library): some 3,000 given names and 900 surnames from many languages, and the countries, states, months and
 * everyday words that a capitalised word can also be. Only the lexicon is used, not compromise's tagger: on report
 * text the tagger took eponyms and devices for people and places ("Hampton hump", "Glenn shunt"). Loaded once, on the
 * first scrub, so that importing this module stays cheap.
 */
function nameLexicon(): NameLexicon {
  if (lexicon) return lexicon;
  const nlp = createRequire(import.meta.url)('compromise/two') as {
    model(): { one: { lexicon: Record<string, string | string[]> } };
  };
  const given = new Set<string>();
  const surnames = new Set<string>();
  const tags = new Map<string, readonly string[]>();
  for (const [word, tag] of Object.entries(nlp.model().one.lexicon)) {
    const list = Array.isArray(tag) ? tag : [tag];
    if (list.some((t) => t === 'FirstName' || t === 'MaleName' || t === 'FemaleName')) given.add(word);
    else if (list.includes('LastName')) surnames.add(word);
    tags.set(word, list);
  }
  lexicon = { given, surnames, tags };
  return lexicon;
}

/** Lower case without accents, as the lexicon spells words ("Zoë" -> "zoe"). */
const folded = (word: string): string => word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

// Given names that are also everyday words of a report; they count only before a known surname.
const AMBIGUOUS_GIVEN = words(
  'will may mark grant hope faith carina rose gene april june august page chase major young',
);

function isGivenName(word: string): boolean {
  const { given } = nameLexicon();
  const first = folded(word.split('-')[0] ?? '');
  return given.has(first) && !AMBIGUOUS_GIVEN.has(first) && !EPONYMS.has(first);
}

function isSurname(word: string): boolean {
  const parts = folded(word).split('-');
  return parts.every((part) => !NOT_PROPER.has(part) && !EPONYMS.has(part)) && !isServiceWord(word);
}

/** A surname, or a given name written first as a surname ("Nguyen, Thi Lan"), that the lexicon knows. */
function isKnownName(word: string): boolean {
  const { given, surnames } = nameLexicon();
  const key = folded(word.split('-')[0] ?? '');
  return (surnames.has(key) || given.has(key)) && !AMBIGUOUS_GIVEN.has(key);
}

const isEponymHead = (after: string | undefined): boolean => after !== undefined && EPONYM_HEADS.has(after);

// What compromise knows a town is not: a country or state (not PHI), a name, a month, an everyday word.
const NOT_A_TOWN_TAG =
  /^(?:Country|Region|FirstName|MaleName|FemaleName|Month|WeekDay|Holiday|Noun|Singular|Plural|Adjective|Verb|Adverb|Modal|Expression|Preposition|Determiner|Conjunction|Pronoun|Cardinal|TextValue)$/;

function isTown(town: string, after: string | undefined): boolean {
  if (isEponymHead(after)) return false;
  const { tags } = nameLexicon();
  return town.split(/\s+/).every((word) => {
    const key = folded(word);
    if (NOT_PROPER.has(key) || EPONYMS.has(key) || isServiceWord(word)) return false;
    const known = tags.get(key);
    return (
      !known || known.some((t) => t === 'City' || t === 'Place') || !known.some((t) => NOT_A_TOWN_TAG.test(t))
    );
  });
}

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
  // Bare month/day, but not a ratio inside a number ("16.2/24.7"), a mixed number ("1-1/2"), a common fraction, a
  // pain score ("pain 8/10") or a murmur's grade ("grade 2/6").
  {
    kind: 'date',
    pattern:
      /(?<![\d.\-/])(?<!(?i:grade|pain|score|scale|rated|murmur|strength|power)\s{1,3}(?:of\s+)?)(?!(?:1\/[234]|2\/3|3\/4)\b)\b(?:0?[1-9]|1[0-2])\/(?:(?:19|20)\d{2}|0?[1-9]|[12]\d|3[01])\b(?![./]\d)(?!\s*(?i:pain|murmur|strength))/g,
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
  {
    kind: 'age',
    pattern: new RegExp(`\\b(?<phi>${SPELLED_AGE})(?<post>[\\s-](?:years?|yrs?)[\\s-]old\\b)`, 'gi'),
  },
  // Bare names, known by a given name from compromise's lexicon: "John Smith", "Mary-Jane O'Neil", "Peter van der
  // Berg", "Smith, John", "O'Neil, Mary-Jane", and an initial before a surname ("J. Smith").
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<![\\p{L}\\p{N}'’.-])(?<phi>(?<given>${TITLE_WORD})(?:\\s+(?:\\p{Lu}\\.|${TITLE_WORD}))?` +
        `\\s+(?:${PARTICLE}\\s+){0,2}(?<surname>${TITLE_WORD}))(?![\\p{L}\\p{N}])(?=\\s+(?<after>\\p{Ll}+)|)`,
      'gu',
    ),
    accept: (groups) =>
      isGivenName(groups.given ?? '') && isSurname(groups.surname ?? '') && !isEponymHead(groups.after),
  },
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<![\\p{L}\\p{N}'’.-])(?<phi>(?:(?i:${PARTICLE})\\s+){0,2}(?<surname>${TITLE_WORD}),\\s*` +
        `(?<given>${TITLE_WORD})(?:\\s+(?:\\p{Lu}\\.|${TITLE_WORD}))?)(?![\\p{L}\\p{N}])`,
      'gu',
    ),
    accept: (groups) =>
      isSurname(groups.surname ?? '') &&
      (isGivenName(groups.given ?? '') ||
        (isKnownName(groups.surname ?? '') && isSurname(groups.given ?? ''))),
  },
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<![\\p{L}\\p{N}'’.-])(?<phi>\\p{Lu}\\.\\s?(?:\\p{Lu}\\.\\s?)?(?:${PARTICLE}\\s+){0,2}(?<surname>${TITLE_WORD}))` +
        `(?![\\p{L}\\p{N}])(?=\\s+(?<after>\\p{Ll}+)|)`,
      'gu',
    ),
    accept: (groups) => isSurname(groups.surname ?? '') && !isEponymHead(groups.after),
  },
  // Names: after a title, before a credential, after a cue phrase ("signed by", "discussed with"). Name words are
  // matched case-sensitively (capitalised) so the sentence after a name is left alone; titles and cues in any case.
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<pre>\\b(?i:dr|mr|mrs|ms|mx|prof)\\b\\.?\\s+)${NOT_A_NAME}(?<phi>${ANY_CASE_NAME_WORD}${FOLLOWING_NAME_WORDS})`,
      'gu',
    ),
  },
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<pre>\\b(?i:doctor|miss|professor)\\s+)${NOT_A_NAME}(?<phi>${NAME_WORD}${FOLLOWING_NAME_WORDS})`,
      'gu',
    ),
  },
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<pre>\\b(?i:(?:(?:electronically\\s+)?signed|dictated|transcribed|read|interpreted|reviewed|verified|approved|attested|` +
        `discussed|communicated|called|paged|notified|conveyed|relayed|spoke|spoken|given|texted|sent|amended|ordered|` +
        `provided|requested|seen|placed|performed|conversation)\\s+(?:by|with|to)|feedback\\s+from)\\s*:?\\s+` +
        `(?:(?i:dr|doctor|mr|mrs|ms|mx|prof|professor)\\.?\\s+)?)` +
        `${NOT_A_NAME}(?<phi>${NAME_WORD}${FOLLOWING_NAME_WORDS})`,
      'gu',
    ),
  },
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<pre>\\b(?i:attending|resident|fellow|radiologist|technologist|tech|physician|referring\\s+physician|ordering\\s+(?:physician|provider)|` +
        `provider|reader|author|transcriptionist|patient\\s+name|patient|name)\\s*:\\s*)${NOT_A_NAME}(?<phi>${ANY_CASE_NAME_WORD}${FOLLOWING_NAME_WORDS})`,
      'gu',
    ),
  },
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<pre>\\b(?i:physician|nurse|radiologist|resident|attending|fellow|technologist|clinician|surgeon|provider)\\s+)` +
        `${NOT_A_NAME}(?<phi>${NAME_WORD}${FOLLOWING_NAME_WORDS})`,
      'gu',
    ),
  },
  {
    kind: 'name',
    pattern: new RegExp(`(?<phi>${NAME_WORD}(?:\\s+${NAME_WORD}){0,3})(?<post>,?\\s+${CREDENTIAL})`, 'gu'),
  },
  // A name before its role in brackets: "Jean-Luc Picard (resident)".
  {
    kind: 'name',
    pattern: new RegExp(
      `(?<![\\p{L}\\p{N}])(?<phi>${TITLE_WORD}(?:\\s+${TITLE_WORD}){0,2})(?<post>\\s*\\((?i:${ROLE})\\))`,
      'gu',
    ),
    accept: (groups) => !isServiceWord(groups.phi ?? ''),
  },
  // Places: a named hospital, clinic or home ("St. Mary's Hospital", "Lakeside Medical Center", "Springfield
  // General"), a saint's name in the possessive ("St. Vincent's"), and a town after "from", "in", "to", "near", "at"
  // or "resident of" when it is no service, eponym, country, state, month or everyday word.
  {
    kind: 'place',
    pattern: new RegExp(
      `(?<![\\p{L}\\p{N}])(?<phi>(?:(?:St\\.?|Saint|Mount|Mt\\.?)\\s+)?(?<first>${TITLE_WORD})(?:['’]s)?` +
        `(?:\\s+${TITLE_WORD}(?:['’]s)?){0,3}\\s+${FACILITY})(?![\\p{L}\\p{N}])`,
      'gu',
    ),
    accept: (groups) => !isServiceWord(groups.first ?? ''),
  },
  {
    kind: 'place',
    pattern: new RegExp(
      `(?<![\\p{L}\\p{N}])(?<phi>(?:St\\.?|Saint)\\s+${TITLE_WORD}['’]s)(?![\\p{L}\\p{N}])`,
      'gu',
    ),
  },
  {
    kind: 'place',
    pattern: new RegExp(
      `(?<pre>(?<![\\p{L}\\p{N}])(?i:from|in|to|near|at|resident\\s+of)\\s+)` +
        `(?<phi>(?<town>${TITLE_WORD}(?:\\s+${TITLE_WORD})?)(?![\\p{L}\\p{N}])(?:,\\s*[A-Z]{2}(?![\\p{L}\\p{N}]))?)` +
        `(?=\\s+(?<after>\\p{Ll}+)|)`,
      'gu',
    ),
    accept: (groups) => isTown(groups.town ?? '', groups.after),
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

/** One removed span, in offsets of the text given to {@link scrubPhiWithSpans}. PHI: for measuring, never to log. */
export interface PhiSpan {
  kind: PhiKind;
  /** UTF-16 offsets into the original text, end exclusive. */
  start: number;
  end: number;
}

// The rules with match indices (flag d), so that the replaced group can be traced back to the original text.
const INDEXED_RULES: Rule[] = RULES.map((rule) => ({
  ...rule,
  pattern: new RegExp(rule.pattern.source, `${rule.pattern.flags}d`),
}));

/** {@link scrubPhi}, also saying where in the original text each removed span was. */
export function scrubPhiWithSpans(
  text: string,
  options: ScrubOptions = {},
): ScrubResult & { spans: PhiSpan[] } {
  const placeholder = options.placeholder ?? PHI_PLACEHOLDER;
  const counts: Partial<Record<PhiKind, number>> = {};
  const spans: PhiSpan[] = [];
  let out = text;
  // For each character of `out`, the original range it stands for (a placeholder stands for all it replaced).
  let origin: [number, number][] = Array.from({ length: text.length }, (_, i) => [i, i + 1]);
  for (const rule of INDEXED_RULES) {
    let next = '';
    const nextOrigin: [number, number][] = [];
    let last = 0;
    let replaced = false;
    const pattern = rule.pattern;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(out); match; match = pattern.exec(out)) {
      if (match[0] === '') pattern.lastIndex++;
      const phi = match.indices?.groups?.phi ?? [match.index, match.index + match[0].length];
      const [start, end] = phi;
      const span = out.slice(start, end);
      if (span === '' || isOnlyPlaceholders(span, placeholder)) continue;
      if (rule.accept && !rule.accept(match.groups ?? {})) {
        // Not this one ("Pt John Smith"): look again from the next character, which may start the real thing.
        pattern.lastIndex = match.index + 1;
        continue;
      }
      counts[rule.kind] = (counts[rule.kind] ?? 0) + 1;
      const from = origin[start]![0];
      const to = origin[end - 1]![1];
      spans.push({ kind: rule.kind, start: from, end: to });
      next += out.slice(last, start) + placeholder;
      for (let i = last; i < start; i++) nextOrigin.push(origin[i]!);
      for (let i = 0; i < placeholder.length; i++) nextOrigin.push([from, to]);
      last = end;
      replaced = true;
    }
    if (!replaced) continue;
    next += out.slice(last);
    for (let i = last; i < out.length; i++) nextOrigin.push(origin[i]!);
    out = next;
    origin = nextOrigin;
  }
  const total = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  return { text: out, counts, total, spans };
}

/** Replaces PHI in report text; the same text always gives the same result, and scrubbing twice changes nothing more. */
export function scrubPhi(text: string, options: ScrubOptions = {}): ScrubResult {
  const { text: out, counts, total } = scrubPhiWithSpans(text, options);
  return { text: out, counts, total };
}
