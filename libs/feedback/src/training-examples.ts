import {
  buildPrompt,
  formatLabels,
  taskCatalog,
  type LabelVocabulary,
  type TaskName,
} from '@radflow/prompts';
import type { LabelCorrection } from '@radflow/schemas';
import {
  accessionKey,
  splitOfAccession,
  DEFAULT_SPLIT,
  type DatasetSplit,
  type SplitOptions,
} from './dataset-split.ts';
import type { FeedbackOutput, StoredFeedbackRecord } from './feedback-record.ts';
import { scrubPhi, type PhiKind } from './phi-scrub.ts';

/** The outputs a model is trained on, and the Rad-Phi2 task each one is. */
export const TRAINABLE_OUTPUTS: Partial<Record<FeedbackOutput, TaskName>> = {
  impression: 'impression',
  abnormalities: 'abnormality_labels',
  devices: 'device_labels',
};

/** One example in the paper's format, scrubbed of PHI, with the split of its accession. */
export interface TrainingExample {
  /** Hash of the accession: the split key, never the accession itself. */
  uid: string;
  task: TaskName;
  split: DatasetSplit;
  prompt: string;
  answer: string;
  /** `prompt + answer + <endoftext>`: the paper's `<instruct>…<output>…<endoftext>`. */
  text: string;
  source: 'explicit' | 'implicit';
  /** The model whose draft was judged (name@version), for lineage; null when unknown. */
  draftModel: string | null;
}

export type SkipReason =
  | 'not-trainable-output'
  | 'rejected-without-correction'
  | 'no-target'
  | 'no-input-text'
  | 'unknown-label'
  | 'superseded';

export interface ExampleBuildResult {
  examples: TrainingExample[];
  skipped: Partial<Record<SkipReason, number>>;
  /** PHI replacements made while scrubbing, by kind (numbers only: safe to log). */
  scrubbed: Partial<Record<PhiKind, number>>;
}

export interface ExampleOptions {
  split?: SplitOptions;
  /** Labels stated as uncertain are listed in the answer (CheXpert's U-Ones, the metrics' default) unless false. */
  uncertainAsPresent?: boolean;
}

function vocabularyOf(task: TaskName): LabelVocabulary | undefined {
  return taskCatalog.tasks[task].vocabulary;
}

function labelAnswer(
  labels: readonly LabelCorrection[],
  vocabulary: LabelVocabulary,
  uncertainAsPresent: boolean,
): string | 'unknown-label' {
  const known = new Set(vocabulary.ids);
  if (labels.some((l) => !known.has(l.label))) return 'unknown-label';
  const listed = labels
    .filter((l) => l.state === 'present' || (uncertainAsPresent && l.state === 'uncertain'))
    .map((l) => l.label);
  return formatLabels(listed, vocabulary);
}

/** The answer a record teaches, or why it teaches none. */
function targetOf(
  record: StoredFeedbackRecord,
  task: TaskName,
  uncertainAsPresent: boolean,
): { answer: string } | { skip: SkipReason } {
  const vocabulary = vocabularyOf(task);
  if (vocabulary) {
    const labels = record.verdict === 'accept' ? record.draftLabels : record.correctedLabels;
    if (!labels) return { skip: record.verdict === 'reject' ? 'rejected-without-correction' : 'no-target' };
    const answer = labelAnswer(labels, vocabulary, uncertainAsPresent);
    return answer === 'unknown-label' ? { skip: 'unknown-label' } : { answer };
  }
  const text =
    record.verdict === 'accept' ? (record.correctedText ?? record.draftText) : record.correctedText;
  if (!text || !text.trim())
    return { skip: record.verdict === 'reject' ? 'rejected-without-correction' : 'no-target' };
  return { answer: text.trim() };
}

function count<K extends string>(into: Partial<Record<K, number>>, key: K, n = 1): void {
  into[key] = (into[key] ?? 0) + n;
}

/**
 * Training examples from stored feedback: the latest verdict per (accession, task) wins, inputs and answers are
 * scrubbed of PHI, prompts come from libs/prompts (the templates the runtime uses), and every example carries the
 * split of its accession.
 */
export function trainingExamples(
  records: readonly StoredFeedbackRecord[],
  options: ExampleOptions = {},
): ExampleBuildResult {
  const split = options.split ?? DEFAULT_SPLIT;
  const uncertainAsPresent = options.uncertainAsPresent ?? true;
  const skipped: ExampleBuildResult['skipped'] = {};
  const scrubbed: ExampleBuildResult['scrubbed'] = {};
  const latest = new Map<string, StoredFeedbackRecord>();
  for (const record of records) {
    const task = TRAINABLE_OUTPUTS[record.output];
    if (!task) {
      count(skipped, 'not-trainable-output');
      continue;
    }
    const key = `${record.accession}\u0000${task}`;
    const seen = latest.get(key);
    if (seen) count(skipped, 'superseded');
    if (!seen || seen.sequence < record.sequence) latest.set(key, record);
  }
  const scrub = (text: string): string => {
    const result = scrubPhi(text);
    for (const [kind, n] of Object.entries(result.counts)) count(scrubbed, kind as PhiKind, n);
    return result.text;
  };
  const endOfText = taskCatalog.specialTokens.endOfText;
  const examples: TrainingExample[] = [];
  for (const record of latest.values()) {
    const task = TRAINABLE_OUTPUTS[record.output]!;
    const target = targetOf(record, task, uncertainAsPresent);
    if ('skip' in target) {
      count(skipped, target.skip);
      continue;
    }
    const input = task === 'impression' ? (record.findings ?? null) : (record.reportText ?? null);
    if (!input) {
      count(skipped, 'no-input-text');
      continue;
    }
    const prompt = buildPrompt(
      task,
      task === 'impression' ? { findings: scrub(input) } : { report: scrub(input) },
    );
    const answer = vocabularyOf(task) ? target.answer : scrub(target.answer);
    examples.push({
      uid: accessionKey(record.accession, split.salt),
      task,
      split: splitOfAccession(record.accession, split),
      prompt,
      answer,
      text: `${prompt}${answer}${endOfText}`,
      source: record.source,
      draftModel: record.model ? `${record.model.name}@${record.model.version}` : null,
    });
  }
  examples.sort((a, b) => (a.task === b.task ? a.uid.localeCompare(b.uid) : a.task.localeCompare(b.task)));
  return { examples, skipped, scrubbed };
}
