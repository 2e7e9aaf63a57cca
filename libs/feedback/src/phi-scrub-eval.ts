/**
 * Measures the PHI scrubber on a labelled set (phi-scrub-labelled-set.json): span-level recall per PHI type,
 * precision per kind the scrubber reports, and what it removed from the hard negatives (eponyms, devices, lobe
 * words, fractions, Open-i `XXXX` tokens) that must come through untouched.
 *
 * Counting, on letters and digits only (punctuation and spaces between the words of a span do not matter):
 * - a labelled span is found when every one of its letters and digits lies inside some removed span, whatever kind
 *   the scrubber gave it; anything less is a miss, because part of the PHI leaked;
 * - a removed span is correct when it overlaps a labelled span, and a false positive otherwise;
 * - a hard negative is hit when a removed span overlaps it.
 * Pure: the caller reads the set and passes it in.
 */
import { scrubPhiWithSpans, type PhiSpan } from './phi-scrub.ts';

/** Where the labelled set that comes with this library lies (read it with the caller's own I/O). */
export const PHI_LABELLED_SET_URL = new URL('./phi-scrub-labelled-set.json', import.meta.url);

export type PhiLabelType =
  'name' | 'place' | 'address' | 'date' | 'time' | 'age' | 'identifier' | 'phone' | 'email' | 'url' | 'ip';

export const PHI_LABEL_TYPES: readonly PhiLabelType[] = [
  'name',
  'place',
  'address',
  'date',
  'time',
  'age',
  'identifier',
  'phone',
  'email',
  'url',
  'ip',
];

export type LabelledSplit = 'dev' | 'heldout';

export interface TextSpan {
  /** UTF-16 offsets into the sentence, end exclusive. */
  start: number;
  end: number;
  /** The sentence's text between the offsets, as a check on them. */
  text: string;
}

export interface LabelledSentence {
  id: string;
  split: LabelledSplit;
  text: string;
  phi: (TextSpan & { type: PhiLabelType })[];
  hardNegatives: TextSpan[];
}

export interface LabelledSet {
  sentences: LabelledSentence[];
}

/** Finds the spans a scrubber would remove, in offsets of the text it was given. */
export type PhiSpanFinder = (text: string) => readonly Pick<PhiSpan, 'kind' | 'start' | 'end'>[];

export const scrubberSpans: PhiSpanFinder = (text) => scrubPhiWithSpans(text).spans;

export interface RecallRow {
  total: number;
  found: number;
  recall: number;
}

export interface PrecisionRow {
  predicted: number;
  correct: number;
  precision: number;
}

export interface PhiEvaluation {
  split: LabelledSplit | 'all';
  sentences: number;
  /** By labelled type: how many labelled spans were wholly removed. */
  recall: Partial<Record<PhiLabelType, RecallRow>>;
  /** By the kind the scrubber reported: how many removed spans overlap a labelled span. */
  precision: Partial<Record<string, PrecisionRow>>;
  overall: RecallRow & PrecisionRow & { f1: number };
  hardNegatives: { total: number; hit: number };
  /** Labelled spans not wholly removed (the set is invented text, so these may be printed). */
  misses: { id: string; type: PhiLabelType; text: string; left: string }[];
  /** Removed spans overlapping no labelled span. */
  falsePositives: { id: string; kind: string; text: string; hardNegative: boolean }[];
}

export class LabelledSetError extends Error {
  override readonly name = 'LabelledSetError';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkSpan(sentence: LabelledSentence, span: unknown, where: string): void {
  if (
    !isRecord(span) ||
    !Number.isInteger(span.start) ||
    !Number.isInteger(span.end) ||
    typeof span.text !== 'string'
  )
    throw new LabelledSetError(`${sentence.id}: ${where} needs integer start, end and a text`);
  const { start, end, text } = span as unknown as TextSpan;
  if (start < 0 || end <= start || end > sentence.text.length || sentence.text.slice(start, end) !== text)
    throw new LabelledSetError(
      `${sentence.id}: ${where} [${start}, ${end}) is not "${text}" in the sentence`,
    );
}

/** Checks the shape of a parsed labelled set and that every span's offsets give its text. */
export function labelledSetFrom(value: unknown): LabelledSet {
  if (!isRecord(value) || !Array.isArray(value.sentences))
    throw new LabelledSetError('a labelled set is an object with a sentences array');
  const ids = new Set<string>();
  for (const raw of value.sentences as unknown[]) {
    if (
      !isRecord(raw) ||
      typeof raw.id !== 'string' ||
      typeof raw.text !== 'string' ||
      (raw.split !== 'dev' && raw.split !== 'heldout') ||
      !Array.isArray(raw.phi) ||
      !Array.isArray(raw.hardNegatives)
    )
      throw new LabelledSetError(
        'each sentence needs id, split (dev | heldout), text, phi and hardNegatives',
      );
    const sentence = raw as unknown as LabelledSentence;
    if (ids.has(sentence.id)) throw new LabelledSetError(`duplicate sentence id ${sentence.id}`);
    ids.add(sentence.id);
    for (const span of sentence.phi) {
      checkSpan(sentence, span, 'a phi span');
      if (!PHI_LABEL_TYPES.includes(span.type))
        throw new LabelledSetError(`${sentence.id}: unknown PHI type ${String(span.type)}`);
    }
    for (const span of sentence.hardNegatives) checkSpan(sentence, span, 'a hard negative');
  }
  return value as unknown as LabelledSet;
}

const ALNUM = /[\p{L}\p{N}]/u;
const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);

/** Letter and digit positions of [start, end) in the text. */
function alnumPositions(text: string, start: number, end: number): number[] {
  const positions: number[] = [];
  for (let i = start; i < end; i++) if (ALNUM.test(text[i]!)) positions.push(i);
  return positions;
}

function overlapsAlnum(text: string, a: { start: number; end: number }, b: { start: number; end: number }) {
  const from = Math.max(a.start, b.start);
  const to = Math.min(a.end, b.end);
  return from < to && alnumPositions(text, from, to).length > 0;
}

/** Scores a scrubber (by default {@link scrubPhi}'s own spans) on one split of the set, or all of it. */
export function evaluatePhiScrubber(
  set: LabelledSet,
  options: { split?: LabelledSplit | 'all'; find?: PhiSpanFinder } = {},
): PhiEvaluation {
  const split = options.split ?? 'all';
  const find = options.find ?? scrubberSpans;
  const sentences = set.sentences.filter((s) => split === 'all' || s.split === split);
  const recall: PhiEvaluation['recall'] = {};
  const precision: PhiEvaluation['precision'] = {};
  const misses: PhiEvaluation['misses'] = [];
  const falsePositives: PhiEvaluation['falsePositives'] = [];
  const hardNegatives = { total: 0, hit: 0 };
  for (const sentence of sentences) {
    const predicted = find(sentence.text);
    const removed = new Set<number>();
    for (const span of predicted) for (let i = span.start; i < span.end; i++) removed.add(i);
    for (const gold of sentence.phi) {
      const row = (recall[gold.type] ??= { total: 0, found: 0, recall: 0 });
      row.total++;
      const left = alnumPositions(sentence.text, gold.start, gold.end).filter((i) => !removed.has(i));
      if (left.length === 0) row.found++;
      else
        misses.push({
          id: sentence.id,
          type: gold.type,
          text: gold.text,
          left: left.map((i) => sentence.text[i]).join(''),
        });
    }
    for (const span of predicted) {
      const row = (precision[span.kind] ??= { predicted: 0, correct: 0, precision: 0 });
      row.predicted++;
      if (sentence.phi.some((gold) => overlapsAlnum(sentence.text, gold, span))) row.correct++;
      else
        falsePositives.push({
          id: sentence.id,
          kind: span.kind,
          text: sentence.text.slice(span.start, span.end),
          hardNegative: sentence.hardNegatives.some((negative) =>
            overlapsAlnum(sentence.text, negative, span),
          ),
        });
    }
    for (const negative of sentence.hardNegatives) {
      hardNegatives.total++;
      if (predicted.some((span) => overlapsAlnum(sentence.text, negative, span))) hardNegatives.hit++;
    }
  }
  let total = 0;
  let found = 0;
  for (const row of Object.values(recall)) {
    row!.recall = ratio(row!.found, row!.total);
    total += row!.total;
    found += row!.found;
  }
  let predictedCount = 0;
  let correct = 0;
  for (const row of Object.values(precision)) {
    row!.precision = ratio(row!.correct, row!.predicted);
    predictedCount += row!.predicted;
    correct += row!.correct;
  }
  const overallRecall = ratio(found, total);
  const overallPrecision = ratio(correct, predictedCount);
  const f1 =
    overallRecall + overallPrecision === 0
      ? 0
      : (2 * overallRecall * overallPrecision) / (overallRecall + overallPrecision);
  return {
    split,
    sentences: sentences.length,
    recall,
    precision,
    overall: {
      total,
      found,
      recall: overallRecall,
      predicted: predictedCount,
      correct,
      precision: overallPrecision,
      f1,
    },
    hardNegatives,
    misses,
    falsePositives,
  };
}

const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The evaluation as a plain-text table; with `details`, every miss and false positive too. */
export function formatPhiEvaluation(evaluation: PhiEvaluation, options: { details?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`split ${evaluation.split}: ${evaluation.sentences} sentences`);
  lines.push('type         labelled  found  recall  | removed  correct  precision');
  const kinds = new Set<string>([...Object.keys(evaluation.recall), ...Object.keys(evaluation.precision)]);
  const order = [
    ...PHI_LABEL_TYPES,
    ...[...kinds].filter((k) => !PHI_LABEL_TYPES.includes(k as PhiLabelType)),
  ];
  for (const kind of order) {
    if (!kinds.has(kind)) continue;
    const r = evaluation.recall[kind as PhiLabelType];
    const p = evaluation.precision[kind];
    lines.push(
      [
        kind.padEnd(12),
        String(r?.total ?? 0).padStart(8),
        String(r?.found ?? 0).padStart(6),
        (r ? percent(r.recall) : '-').padStart(7),
        ' |',
        String(p?.predicted ?? 0).padStart(7),
        String(p?.correct ?? 0).padStart(8),
        (p ? percent(p.precision) : '-').padStart(10),
      ].join(' '),
    );
  }
  const o = evaluation.overall;
  lines.push(
    [
      'overall'.padEnd(12),
      String(o.total).padStart(8),
      String(o.found).padStart(6),
      percent(o.recall).padStart(7),
      ' |',
      String(o.predicted).padStart(7),
      String(o.correct).padStart(8),
      percent(o.precision).padStart(10),
    ].join(' ') + `   F1 ${percent(o.f1)}`,
  );
  const fpOnNegatives = evaluation.falsePositives.filter((fp) => fp.hardNegative).length;
  lines.push(
    `hard negatives: ${evaluation.hardNegatives.hit} of ${evaluation.hardNegatives.total} touched; ` +
      `false positives: ${evaluation.falsePositives.length} (${fpOnNegatives} on hard negatives)`,
  );
  if (options.details) {
    for (const miss of evaluation.misses)
      lines.push(`  miss ${miss.id} ${miss.type}: "${miss.text}" (left: ${miss.left})`);
    for (const fp of evaluation.falsePositives)
      lines.push(
        `  false positive ${fp.id} ${fp.kind}: "${fp.text}"${fp.hardNegative ? ' (hard negative)' : ''}`,
      );
  }
  return lines.join('\n');
}
