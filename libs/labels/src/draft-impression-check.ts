import { labelReport, type LabelResult, type ReportLabels } from './labeler.ts';
import {
  affirmedMatch,
  DEFAULT_PRIORITY_POLICY,
  priorityFirings,
  type PriorityPolicy,
  type PriorityRule,
} from './priority.ts';
import { splitReportSentences } from './sentences.ts';

/** What the rules changed in a model's draft impression: fixed phrases and label ids, never report text. */
export type DraftImpressionEdit =
  { kind: 'critical-finding-added'; reason: string } | { kind: 'unsupported-finding-removed'; label: string };

export interface CheckedDraftImpression {
  impression: string;
  edits: DraftImpressionEdit[];
}

/**
 * Findings that let an impression name a label: the label itself, or one it is commonly read from ("opacity ...
 * concerning for pneumonia"). The parents follow CheXpert's hierarchy (lung opacity over the parenchymal labels).
 */
const SUPPORTED_BY: Readonly<Record<string, readonly string[]>> = {
  pneumonia: ['consolidation', 'infiltration', 'lung opacity', 'atelectasis'],
  consolidation: ['pneumonia', 'infiltration', 'lung opacity'],
  infiltration: ['pneumonia', 'consolidation', 'lung opacity', 'edema'],
  'lung opacity': [
    'pneumonia',
    'consolidation',
    'infiltration',
    'atelectasis',
    'edema',
    'mass',
    'nodule',
    'fibrosis',
  ],
  atelectasis: ['lung opacity', 'consolidation', 'infiltration'],
  edema: ['infiltration', 'lung opacity'],
  mass: ['nodule', 'lung opacity'],
  nodule: ['mass', 'granuloma', 'lung opacity'],
  granuloma: ['nodule'],
  cardiomegaly: ['enlarged cardiomediastinum'],
  'enlarged cardiomediastinum': ['cardiomegaly'],
  'pleural effusion': ['pleural thickening'],
  'pleural thickening': ['pleural effusion'],
  fibrosis: ['lung opacity'],
};

/**
 * Signs the labeler has no label for, or words it does not read as the label, from which a radiologist writes the
 * label in an impression ("heart size upper limits normal": borderline cardiomegaly; hyperinflation: emphysema).
 */
const SUPPORTING_SIGNS: Readonly<Record<string, RegExp>> = {
  cardiomegaly:
    /\b(?:heart|cardiac|cardiomediastinal)\b[^.;]{0,40}?\b(?:enlarg\w*|top normal|upper (?:limits? (?:of )?)?normal|borderline|prominen\w*)|\benlarge\w* (?:\w+ ){0,3}(?:of |in )?(?:the )?(?:heart|cardiac)|\batri\w* enlargement\b/i,
  emphysema:
    /\bhyper-?(?:expan|inflat|aerat|lucen)\w*|\bflatten\w* (?:of )?(?:the )?(?:\w+ )?(?:hemi)?diaphragm|\bbullae\b|\bbullous\b|\bcopd\b/i,
  edema:
    /\b(?:interstitial|vascular) (?:markings|prominence|congestion|engorgement|redistribution)\b|\bvascular margination\b|\bvenous (?:engorgement|hypertension)\b|\bkerley\b|\bcephaliza\w*/i,
  atelectasis:
    /\bstreak\w*|\bplate-?like\b|\bsubsegmental\b|\bvolume loss\b|\blow (?:lung )?volumes?\b|\b(?:under|hypo)-?(?:inflat|expan|aerat)\w*|\bcollaps\w*/i,
  infiltration:
    /\breticul\w*|\binterstitial (?:pattern|thickening|opacit\w*|markings|prominence|changes)\b|\bstrand\w*/i,
  'lung opacity': /\bopacit(?:y|ies)\b|\bdensit(?:y|ies)\b|\bairspace\b|\binfiltrat\w*/i,
  nodule: /\bnodul\w*|\bdensit(?:y|ies)\b|\blesion\b|\bopacit(?:y|ies)\b/i,
  mass: /\bmass\w*|\blesion\b|\bopacit(?:y|ies)\b/i,
};

/**
 * The labels whose mention in an impression the findings must support. Others (fractures, spine, hernia, old
 * granulomas) are often named in an impression from a finding worded quite differently, so they are left alone.
 */
const CHECKED_LABELS: ReadonlySet<string> = new Set([
  'pneumonia',
  'consolidation',
  'infiltration',
  'edema',
  'pleural effusion',
  'pneumothorax',
  'cardiomegaly',
  'atelectasis',
  'mass',
  'nodule',
  'lung opacity',
]);

/** Advice and caveats ("consider rib films", "cannot exclude"): not a claim about the findings. */
const ADVICE =
  /\b(?:recommend\w*|consider\w*|correlat\w*|if (?:there is )?(?:continued |clinical )*concern|please note|follow-?up|cannot (?:be )?(?:exclude|excluded|rule)|may not be)\b/i;

const ANATOMY = /\b(?:heart|cardiac|cardiomediastinal|lungs?|pulmonary|pleural?|mediastin\w*)\b/i;

const ALL_CLEAR =
  /^(?:no (?:acute|active)\b[^.;]*|normal (?:chest|study|exam\w*|radiograph\w*)|negative (?:chest|study|exam\w*))[.\s]*$/i;

const NUMBERED_ITEM = /(?:^|\s)\d{1,2}[.)]\s+/;

/**
 * The rules' check of a model's draft impression against the findings it was drafted from, so that a draft never
 * drops a critical finding nor names one the findings do not support:
 * - a finding the worklist policy calls stat (pneumothorax, its tension form, a malpositioned tube, free air) that the
 *   findings state and the draft does not is put first, in the findings' own sentence, replacing draft statements
 *   about the same label or device (they got it wrong or said less);
 * - a clause naming an abnormality that nothing in the findings supports is taken out (the whole statement when that
 *   is its subject), e.g. "..., concerning for pneumonia" after findings with no opacity at all.
 * Everything else of the draft is kept as the model wrote it. Without findings there is nothing to check against.
 */
export function checkDraftImpression(
  findings: string,
  draft: string,
  policy: PriorityPolicy = DEFAULT_PRIORITY_POLICY,
): CheckedDraftImpression {
  if (!findings.trim() || !draft.trim()) return { impression: draft, edits: [] };
  const edits: DraftImpressionEdit[] = [];
  const read = labelReport(findings);
  const supported = new Set(read.abnormalities.filter((r) => r.state !== 'absent').map((r) => r.label));
  for (const [label, sign] of Object.entries(SUPPORTING_SIGNS))
    if (read.sentences.some((s) => affirmedMatch(sign, s.text))) supported.add(label);
  // Findings that describe nothing ("AP and lateral views") can neither support nor refute a statement.
  const findingsSaySomething =
    ANATOMY.test(findings) || [...read.abnormalities, ...read.devices].some((r) => r.sentenceIndex !== null);
  const numbered = NUMBERED_ITEM.test(draft);
  let statements = draftStatements(draft, numbered).flatMap((statement) => {
    if (!findingsSaySomething || ADVICE.test(statement)) return [statement];
    const kept = withoutUnsupported(statement, supported);
    for (const label of kept.removed) edits.push({ kind: 'unsupported-finding-removed', label });
    return kept.text ? [kept.text] : [];
  });

  // Only what the findings affirm is carried; a hedged one ("possible ...") is the worklist's flag, not a fact.
  const fromFindings = priorityFirings(read.abnormalities, read.devices, findings, policy).filter(
    (f) => f.level === 'stat' && !f.reason.startsWith('possible '),
  );
  const draftText = statements.join(' ');
  const draftRead = labelReport(draftText);
  const inDraft = new Set(
    priorityFirings(draftRead.abnormalities, draftRead.devices, draftText, policy).map((f) => f.ruleId),
  );
  const carried: string[] = [];
  for (const firing of fromFindings) {
    if (inDraft.has(firing.ruleId)) continue;
    const rule = policy.rules.find((r) => r.id === firing.ruleId);
    if (firing.sentenceIndex === null) continue;
    const sentence = read.sentences[signSentence(rule, firing.sentenceIndex, read, draftText)]?.text;
    if (!sentence) continue;
    edits.push({ kind: 'critical-finding-added', reason: firing.reason });
    if (carried.includes(sentence)) continue;
    carried.push(sentence);
    // The findings' sentence says it fully: draft statements about the same tube or finding said less, or wrong.
    const key = rule?.label ?? rule?.device;
    if (key && names(sentence, key)) statements = statements.filter((s) => !names(s, key));
  }
  // A carried critical finding contradicts the draft's "no acute abnormality": that statement goes.
  if (carried.length > 0) statements = statements.filter((s) => !ALL_CLEAR.test(s));
  // A draft the rules had nothing to say about is passed on exactly as the model wrote it.
  if (edits.length === 0) return { impression: draft, edits };
  // The draft's own form stays (a radiologist's model may write numbered lists or one sentence).
  const all = [...carried.map(asSentence), ...statements];
  const impression = numbered ? all.map((s, i) => `${i + 1}. ${s}`).join(' ') : all.join(' ');
  return { impression, edits };
}

/**
 * The findings' sentence to carry for a rule that fired: the one that fired it, except when the draft already names
 * the finding and lacks only the sign the rule needs elsewhere in the report (the mediastinal shift of a tension
 * pneumothorax): then the sentence with that sign, so the draft's own statement of the finding stays.
 */
function signSentence(
  rule: PriorityRule | undefined,
  fired: number,
  read: ReportLabels,
  draftText: string,
): number {
  if (!rule?.reportMatches || !rule.label || !names(draftText, rule.label)) return fired;
  return read.sentences.find((s) => affirmedMatch(rule.reportMatches!, s.text))?.index ?? fired;
}

/** The draft's statements: its numbered items, else its sentences; numbers dropped. */
function draftStatements(draft: string, numbered: boolean): string[] {
  const statements = numbered
    ? draft.split(NUMBERED_ITEM).map((item) => item.trim())
    : splitReportSentences(draft).map((s) => s.text);
  return statements.filter((s) => s.length > 0);
}

function withoutUnsupported(statement: string, supported: ReadonlySet<string>) {
  // A clause is read inside its statement too: "No opacity, effusion or pneumothorax" negates all three.
  const affirmed = new Set(affirmedLabels(statement));
  const clauses = statement.split(/,\s+/);
  const removed: string[] = [];
  const kept: string[] = [];
  // When the first clause (the statement's subject) goes, the rest of the statement goes with it.
  let subjectRemoved = false;
  clauses.forEach((clause, i) => {
    const named = labelReport(clause).abnormalities.filter(
      (r) => r.state !== 'absent' && affirmed.has(r.label) && CHECKED_LABELS.has(r.label),
    );
    const unsupported = named.filter((r) => !isSupported(r, supported));
    if (named.length > 0 && unsupported.length === named.length) {
      removed.push(...unsupported.map((r) => r.label));
      if (i === 0) subjectRemoved = true;
    } else if (!subjectRemoved) kept.push(clause);
  });
  const text = kept.length > 0 ? asSentence(kept.join(', ')) : '';
  return { text, removed: [...new Set(removed)] };
}

function affirmedLabels(text: string): string[] {
  return labelReport(text)
    .abnormalities.filter((r) => r.state !== 'absent')
    .map((r) => r.label);
}

function isSupported(result: LabelResult, supported: ReadonlySet<string>): boolean {
  return supported.has(result.label) || (SUPPORTED_BY[result.label] ?? []).some((l) => supported.has(l));
}

function names(statement: string, key: string): boolean {
  const read = labelReport(statement);
  return [...read.abnormalities, ...read.devices].some((r) => r.label === key && r.state !== 'absent');
}

function asSentence(text: string): string {
  const trimmed = text.trim().replace(/[,;:\s]+$/, '');
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
