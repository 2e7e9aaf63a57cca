import { analyseSentence, mentionState, type MentionState, type Span } from './context.ts';
import { ABNORMALITY_LEXICON } from './lexicon/abnormalities.ts';
import { DEVICE_LEXICON } from './lexicon/devices.ts';
import type { Lexicon } from './lexicon/types.ts';
import { splitReportSentences, type ReportText, type Sentence } from './sentences.ts';
import { ABNORMALITY_IDS, DEVICE_IDS } from './vocabulary.ts';

export type LabelState = MentionState;

export interface Mention {
  sentenceIndex: number;
  state: LabelState;
}

export interface LabelResult {
  label: string;
  /** present if any mention is affirmed, else uncertain if any is hedged, else absent (negated or never named). */
  state: LabelState;
  /** The sentence that decided the state; null when the report never names the label. Never log the sentence. */
  sentenceIndex: number | null;
  mentions: Mention[];
}

export type CvcSite = 'internal jugular' | 'subclavian' | 'femoral' | 'unspecified';

export interface DeviceResult extends LabelResult {
  /** Central venous catheters only: the sites named where the catheter is present or uncertain. */
  sites?: CvcSite[];
}

export interface ReportLabels {
  sentences: Sentence[];
  abnormalities: LabelResult[];
  devices: DeviceResult[];
}

/** Name and version of the rule labeler, recorded on every rules-only output. */
export const RULE_LABELER = { name: 'radflow-rules', version: '1.1.0' } as const;

interface CompiledEntry {
  label: string;
  terms: RegExp;
  uncertainTerms: RegExp | null;
  absentTerms: RegExp | null;
  yieldsTo: readonly string[];
}

function compile(lexicon: Lexicon, ids: readonly string[]): CompiledEntry[] {
  return ids.map((label) => {
    const entry = lexicon[label];
    if (!entry) throw new Error(`label ${label} of the vocabulary has no lexicon entry`);
    return {
      label,
      terms: new RegExp(entry.terms.join('|'), 'gi'),
      uncertainTerms: entry.uncertainTerms?.length ? new RegExp(entry.uncertainTerms.join('|'), 'gi') : null,
      absentTerms: entry.absentTerms?.length ? new RegExp(entry.absentTerms.join('|'), 'gi') : null,
      yieldsTo: entry.yieldsTo ?? [],
    };
  });
}

const ABNORMALITY_ENTRIES = compile(ABNORMALITY_LEXICON, ABNORMALITY_IDS);
const DEVICE_ENTRIES = compile(DEVICE_LEXICON, DEVICE_IDS);

function matchSpans(pattern: RegExp, text: string): Span[] {
  pattern.lastIndex = 0;
  return [...text.matchAll(pattern)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

const STATE_RANK: Record<LabelState, number> = { absent: 0, uncertain: 1, present: 2 };

function aggregate(label: string, mentions: Mention[]): LabelResult {
  let best: Mention | null = null;
  for (const m of mentions) if (!best || STATE_RANK[m.state] > STATE_RANK[best.state]) best = m;
  return { label, state: best?.state ?? 'absent', sentenceIndex: best?.sentenceIndex ?? null, mentions };
}

function labelSentences(sentences: readonly Sentence[], entries: readonly CompiledEntry[]): LabelResult[] {
  const mentions = new Map<string, Mention[]>(entries.map((e) => [e.label, []]));
  for (const sentence of sentences) {
    const context = analyseSentence(sentence.text);
    const spansByLabel = new Map(entries.map((e) => [e.label, matchSpans(e.terms, context.text)]));
    for (const entry of entries) {
      const found = mentions.get(entry.label)!;
      const stronger = entry.yieldsTo.flatMap((l) => spansByLabel.get(l) ?? []);
      const yields = (span: Span) => stronger.some((s) => s.start < span.end && span.start < s.end);
      const own = spansByLabel.get(entry.label)!;
      for (const span of own) {
        if (!yields(span)) found.push({ sentenceIndex: sentence.index, state: mentionState(context, span) });
      }
      for (const span of entry.uncertainTerms ? matchSpans(entry.uncertainTerms, context.text) : []) {
        if (yields(span) || own.some((o) => o.start < span.end && span.start < o.end)) continue;
        const state = mentionState(context, span);
        found.push({ sentenceIndex: sentence.index, state: state === 'present' ? 'uncertain' : state });
      }
      for (const _ of entry.absentTerms ? matchSpans(entry.absentTerms, context.text) : []) {
        found.push({ sentenceIndex: sentence.index, state: 'absent' });
      }
    }
  }
  return entries.map((e) => aggregate(e.label, mentions.get(e.label)!));
}

const SITE_PATTERNS: [CvcSite, RegExp][] = [
  ['internal jugular', /\b(?:internal jugular|ij|jugular)\b/i],
  ['subclavian', /\bsubclavian\b/i],
  ['femoral', /\bfemoral\b/i],
];

function cvcSites(result: LabelResult, sentences: readonly Sentence[]): CvcSite[] {
  const sites = new Set<CvcSite>();
  for (const m of result.mentions) {
    if (m.state === 'absent') continue;
    const text = sentences[m.sentenceIndex]!.text;
    const named = SITE_PATTERNS.filter(([, p]) => p.test(text)).map(([site]) => site);
    if (named.length === 0) sites.add('unspecified');
    for (const s of named) sites.add(s);
  }
  return [...sites];
}

/** Abnormality and device labels of one report from its findings and impression. Pure; logs nothing. */
export function labelReport(report: ReportText): ReportLabels {
  const sentences = splitReportSentences(report);
  const abnormalities = labelSentences(sentences, ABNORMALITY_ENTRIES);
  const devices: DeviceResult[] = labelSentences(sentences, DEVICE_ENTRIES).map((r) =>
    r.label === 'central venous catheter' && r.state !== 'absent'
      ? { ...r, sites: cvcSites(r, sentences) }
      : r,
  );
  return { sentences, abnormalities, devices };
}
