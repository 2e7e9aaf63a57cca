import { createRng, randomIndex } from '@radflow/metrics';
import type { TaskName } from '@radflow/prompts';
import type { DatasetSplit } from './dataset-split.ts';
import { sha256Hex } from './hashing.ts';
import type { TrainingExample } from './training-examples.ts';

/** One line of a data set file: the paper's format in `text`, its parts beside it for trainers that mask the prompt. */
export interface DatasetLine {
  uid: string;
  task: TaskName;
  text: string;
  prompt: string;
  answer: string;
}

export interface DatasetSnapshot {
  /** Relative path (`train/impression.jsonl`, `eval/abnormality_labels.jsonl`) to file content (JSON lines). */
  files: Record<string, string>;
  /** sha256 over every file name and content: the data lineage of a model trained on it. */
  hash: string;
  counts: Record<DatasetSplit, Partial<Record<TaskName, number>>>;
}

function lineOf(example: TrainingExample): string {
  const line: DatasetLine = {
    uid: example.uid,
    task: example.task,
    text: example.text,
    prompt: example.prompt,
    answer: example.answer,
  };
  return JSON.stringify(line);
}

/**
 * The data set files of a snapshot, per split and task, in a fixed order so the same examples always give the
 * same bytes and the same hash.
 */
export function datasetSnapshot(examples: readonly TrainingExample[]): DatasetSnapshot {
  const groups = new Map<string, TrainingExample[]>();
  const counts: DatasetSnapshot['counts'] = { train: {}, eval: {} };
  for (const example of examples) {
    const path = `${example.split}/${example.task}.jsonl`;
    const group = groups.get(path) ?? [];
    group.push(example);
    groups.set(path, group);
    counts[example.split][example.task] = (counts[example.split][example.task] ?? 0) + 1;
  }
  const files: Record<string, string> = {};
  for (const path of [...groups.keys()].sort()) {
    const sorted = [...groups.get(path)!].sort(
      (a, b) => a.uid.localeCompare(b.uid) || a.text.localeCompare(b.text),
    );
    files[path] = sorted.map(lineOf).join('\n') + '\n';
  }
  const hash = sha256Hex(
    Object.entries(files)
      .map(([path, content]) => `${path}\u0000${sha256Hex(content)}`)
      .join('\n'),
  );
  return { files, hash, counts };
}

/**
 * The same examples with their answers permuted across the whole training split (tasks mixed): a candidate trained
 * on this has learned nothing true, which is how the evaluation gate is shown to refuse a worse model.
 */
export function shuffleTargets(examples: readonly TrainingExample[], seed: number): TrainingExample[] {
  const train = examples.filter((e) => e.split === 'train');
  const answers = train.map((e) => e.answer);
  const rng = createRng(seed);
  for (let i = answers.length - 1; i > 0; i--) {
    const j = randomIndex(rng, i + 1);
    [answers[i], answers[j]] = [answers[j]!, answers[i]!];
  }
  let k = 0;
  return examples.map((e) => {
    if (e.split !== 'train') return e;
    const answer = answers[k++]!;
    return { ...e, answer, text: `${e.prompt}${answer}${e.text.slice(e.prompt.length + e.answer.length)}` };
  });
}
