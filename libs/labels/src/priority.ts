import { analyseSentence, mentionState, type Span } from './context.ts';
import type { DeviceResult, LabelResult, LabelState } from './labeler.ts';
import { splitReportSentences, type ReportText, type Sentence } from './sentences.ts';

export type PriorityLevel = 'stat' | 'urgent' | 'routine';

export interface WorklistPriority {
  level: PriorityLevel;
  /** Fixed phrases naming the rules that fired (never report text), most severe first. */
  reasons: string[];
}

/**
 * One rule of the worklist policy. It fires when the label (or device) is present — or uncertain, see
 * `PriorityPolicy.uncertain` — in a sentence that matches `sentenceMatches` (when given) and not
 * `sentenceExcludes`; a rule with only `textMatches` fires on any sentence where that phrase is affirmed
 * (not negated). Patterns are matched case-insensitively on one sentence.
 */
export interface PriorityRule {
  id: string;
  level: Exclude<PriorityLevel, 'routine'>;
  reason: string;
  label?: string;
  device?: string;
  sentenceMatches?: RegExp;
  sentenceExcludes?: RegExp;
  /** ...and some sentence of the report affirms this (e.g. a mediastinal shift stated apart from the pneumothorax). */
  reportMatches?: RegExp;
  textMatches?: RegExp;
}

export interface PriorityPolicy {
  rules: PriorityRule[];
  /**
   * What a hedged critical finding ("possible pneumothorax") does: 'same' raises the rule's own level (default:
   * a worklist should not bury a possible critical finding), 'lower' one level lower, 'ignore' nothing.
   */
  uncertain: 'same' | 'lower' | 'ignore';
}

// Chronic, stable or improving findings do not need to jump the queue; "new", "increasing" ones do.
const NOT_ACUTE =
  /\b(?:stable|stably|unchanged|chronic|old|healed|persistent|persisting|again (?:seen|noted|demonstrated)|redemonstrat\w*|improv\w*|decreas\w*|resolving|residual|no (?:significant |interval )?change|similar|known)\b/i;

const ENTERIC = ['nasogastric tube', 'orogastric tube', 'feeding tube'] as const;

/** Default rules. Every reason is a fixed phrase so that it can be shown and logged without PHI. */
export const DEFAULT_PRIORITY_RULES: PriorityRule[] = [
  {
    id: 'tension-pneumothorax',
    level: 'stat',
    reason: 'tension pneumothorax',
    label: 'pneumothorax',
    reportMatches:
      /\btension\b|\b(?:cardio)?mediastinal shift\b|\bshift of the mediastinum\b|\bmediastinum (?:is |has )?(?:been )?shifted\b/i,
  },
  { id: 'pneumothorax', level: 'stat', reason: 'pneumothorax', label: 'pneumothorax' },
  {
    id: 'pneumoperitoneum',
    level: 'stat',
    reason: 'free air under the diaphragm (pneumoperitoneum)',
    label: 'pneumoperitoneum',
  },
  {
    id: 'ett-mainstem',
    level: 'stat',
    reason: 'endotracheal tube malpositioned (mainstem bronchus, at or below the carina, or too low)',
    device: 'endotracheal tube',
    sentenceMatches:
      /\b(?:right|left)\s+main\s?-?stem\b|\bmain\s?-?stem (?:bronchus|intubation)\b|\bbronchus intermedius\b|\bendobronchial\b|\b(?:at|below|abut\w*|beyond|into)\s+(?:the\s+)?(?:level of (?:the )?)?carina\b|\btoo (?:low|deep|distal)\b|\blow[- ]lying\b|\brecommend\w* (?:retraction|withdrawal|pulling back)\b|\bshould be (?:retracted|withdrawn|pulled back)\b|\b(?:0|1)(?:\.\d+)?\s*cm above the carina\b/i,
  },
  {
    id: 'enteric-tube-airway',
    level: 'stat',
    reason: 'enteric tube in the airway',
    textMatches: new RegExp(
      String.raw`\b(?:nasogastric|orogastric|feeding|enteric|dobhoff|ng|og|gastric)\b(?:(?!stomach|diaphragm|abdomen|duoden|fundus)[^.;,]){0,60}?\b(?:in|within|into|enter\w*|cours\w* (?:in)?to|terminat\w* in|tip (?:is )?(?:in|at)|project\w* over|extend\w* into|pass\w* into|down)\s+(?:the\s+)?(?:right\s+|left\s+)?(?:main\s?-?stem\s+|lower lobe\s+|distal\s+)?(?:bronch\w*|trachea|airway|tracheobronchial tree|lung|pleural space)\b`,
      'i',
    ),
  },
  {
    id: 'ett-high',
    level: 'urgent',
    reason: 'endotracheal tube too high',
    device: 'endotracheal tube',
    sentenceMatches:
      /\btoo high\b|\bhigh[- ]lying\b|\b(?:at|above) the (?:level of the )?(?:thoracic inlet|clavicles|vocal cords)\b|\bin the (?:pharynx|hypopharynx)\b|\brecommend\w* advanc\w*\b|\bshould be advanced\b/i,
  },
  {
    id: 'enteric-tube-esophagus',
    level: 'urgent',
    reason: 'enteric tube tip in the esophagus',
    textMatches:
      /\b(?:nasogastric|orogastric|feeding|enteric|dobhoff|ng|og)\b[^.;]*?\b(?:tip|terminat\w*|end\w*|coiled|lies)\b[^.;]*?\b(?:in|within) the (?:\w+\s+)?esophagus\b/i,
  },
  {
    id: 'large-effusion',
    level: 'urgent',
    reason: 'large pleural effusion',
    label: 'pleural effusion',
    sentenceMatches:
      /\b(?:large|massive|moderate to large|moderate-to-large|large-volume|large volume|increasing|enlarging|worsening)\b/i,
  },
  { id: 'pneumonia', level: 'urgent', reason: 'pneumonia', label: 'pneumonia', sentenceExcludes: NOT_ACUTE },
  {
    id: 'consolidation',
    level: 'urgent',
    reason: 'new or acute consolidation',
    label: 'consolidation',
    sentenceExcludes: NOT_ACUTE,
  },
  { id: 'edema', level: 'urgent', reason: 'pulmonary edema', label: 'edema', sentenceExcludes: NOT_ACUTE },
  {
    id: 'mass',
    level: 'urgent',
    reason: 'new or enlarging mass',
    label: 'mass',
    sentenceExcludes: NOT_ACUTE,
  },
  {
    id: 'lobar-collapse',
    level: 'urgent',
    reason: 'lobar or lung collapse',
    label: 'atelectasis',
    sentenceMatches:
      /\b(?:lobar|complete|total)\s+(?:collapse|atelectasis)\b|\bcollapse of (?:the |a )?(?:\w+\s+){0,3}(?:lung|lobe)\b|\bcollapsed (?:lung|lobe)\b/i,
    sentenceExcludes: NOT_ACUTE,
  },
  {
    id: 'widened-mediastinum',
    level: 'urgent',
    reason: 'widened mediastinum',
    label: 'enlarged cardiomediastinum',
    sentenceExcludes: NOT_ACUTE,
  },
];

export const DEFAULT_PRIORITY_POLICY: PriorityPolicy = { rules: DEFAULT_PRIORITY_RULES, uncertain: 'same' };

const LEVEL_RANK: Record<PriorityLevel, number> = { routine: 0, urgent: 1, stat: 2 };

interface Firing {
  level: PriorityLevel;
  reason: string;
}

/** A priority rule that fired, and the sentence that fired it (null: a label raised without a sentence, see fromLabel). */
export interface PriorityFiring extends Firing {
  ruleId: string;
  sentenceIndex: number | null;
}

function lowered(level: Exclude<PriorityLevel, 'routine'>): PriorityLevel {
  return level === 'stat' ? 'urgent' : 'routine';
}

function levelFor(rule: PriorityRule, state: LabelState, policy: PriorityPolicy): Firing | null {
  if (state === 'present') return { level: rule.level, reason: rule.reason };
  if (state !== 'uncertain' || policy.uncertain === 'ignore') return null;
  const level = policy.uncertain === 'same' ? rule.level : lowered(rule.level);
  return level === 'routine' ? null : { level, reason: `possible ${rule.reason}` };
}

function fromLabel(
  rule: PriorityRule,
  result: LabelResult | undefined,
  sentences: readonly Sentence[],
  policy: PriorityPolicy,
): PriorityFiring | null {
  if (!result) return null;
  if (rule.reportMatches && !sentences.some((s) => affirmedMatch(rule.reportMatches!, s.text))) return null;
  // A label present with no mention is one only the model raised (the enricher's rules-then-model labels): a rule
  // that needs no particular sentence still fires on it, so a model-found pneumothorax makes the report stat.
  if (result.state !== 'absent' && result.mentions.length === 0) {
    if (rule.sentenceMatches || rule.sentenceExcludes) return null;
    const firing = levelFor(rule, result.state, policy);
    return firing && { ...firing, ruleId: rule.id, sentenceIndex: null };
  }
  let best: PriorityFiring | null = null;
  for (const mention of result.mentions) {
    if (mention.state === 'absent') continue;
    const text = sentences[mention.sentenceIndex]?.text ?? '';
    if (rule.sentenceMatches && !affirmedMatch(rule.sentenceMatches, text)) continue;
    if (rule.sentenceExcludes && rule.sentenceExcludes.test(text)) continue;
    const firing = levelFor(rule, mention.state, policy);
    if (firing && (!best || LEVEL_RANK[firing.level] > LEVEL_RANK[best.level]))
      best = { ...firing, ruleId: rule.id, sentenceIndex: mention.sentenceIndex };
  }
  return best;
}

/** The sentence has the phrase, and not under a negation ("not in the right mainstem bronchus", "no large effusion"). */
export function affirmedMatch(pattern: RegExp, sentence: string): boolean {
  const context = analyseSentence(sentence);
  const global = new RegExp(pattern.source, pattern.flags.replace('g', '') + 'g');
  for (const m of context.text.matchAll(global)) {
    if (mentionState(context, { start: m.index, end: m.index + m[0].length }) !== 'absent') return true;
  }
  return false;
}

function fromText(
  rule: PriorityRule,
  sentences: readonly Sentence[],
  policy: PriorityPolicy,
): PriorityFiring | null {
  const pattern = new RegExp(rule.textMatches!.source, rule.textMatches!.flags.replace('g', '') + 'g');
  let best: PriorityFiring | null = null;
  for (const sentence of sentences) {
    const context = analyseSentence(sentence.text);
    for (const m of context.text.matchAll(pattern)) {
      const span: Span = { start: m.index, end: m.index + m[0].length };
      const firing = levelFor(rule, mentionState(context, span), policy);
      if (firing && (!best || LEVEL_RANK[firing.level] > LEVEL_RANK[best.level]))
        best = { ...firing, ruleId: rule.id, sentenceIndex: sentence.index };
    }
  }
  return best;
}

/**
 * Worklist priority of a report from its rule labels and text: the most severe rule that fires decides the level;
 * every rule that fires gives a reason. Routine when none fires.
 */
export function assignWorklistPriority(
  labels: readonly LabelResult[],
  devices: readonly DeviceResult[],
  reportText: ReportText,
  policy: PriorityPolicy = DEFAULT_PRIORITY_POLICY,
): WorklistPriority {
  const firings = priorityFirings(labels, devices, reportText, policy);
  const reasons = [...new Set(firings.map((f) => f.reason))];
  return { level: firings[0]?.level ?? 'routine', reasons };
}

/** Every priority rule that fires on the report, most severe first, with the sentence that fired it. */
export function priorityFirings(
  labels: readonly LabelResult[],
  devices: readonly DeviceResult[],
  reportText: ReportText,
  policy: PriorityPolicy = DEFAULT_PRIORITY_POLICY,
): PriorityFiring[] {
  const sentences = splitReportSentences(reportText);
  const byLabel = new Map([...labels, ...devices].map((r) => [r.label, r]));
  const firings: PriorityFiring[] = [];
  for (const rule of policy.rules) {
    const key = rule.label ?? rule.device;
    const firing =
      key !== undefined
        ? fromLabel(rule, byLabel.get(key), sentences, policy)
        : rule.textMatches
          ? fromText(rule, sentences, policy)
          : null;
    if (firing) firings.push(firing);
  }
  return firings.sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level]);
}

/** Device labels that are enteric tubes (for policies that add their own rules). */
export const ENTERIC_TUBE_LABELS: readonly string[] = ENTERIC;
