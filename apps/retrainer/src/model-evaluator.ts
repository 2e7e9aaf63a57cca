import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  fixedEvaluationSet,
  type EvaluationSetOutputs,
  type FixedEvaluationSet,
  type OpenIReportRow,
  type TrainingExample,
} from '@radflow/feedback';
import { parseModelLabels, presentAssignment } from '@radflow/evaluation';
import type { LabelAssignment } from '@radflow/metrics';
import { ModelHandle, silentLogger } from '@radflow/model-runtime';
import { parseAnswer, taskCatalog, type TaskName } from '@radflow/prompts';

/** The data the gate scores both models on. */
export interface EvaluationInputs {
  fixed: FixedEvaluationSet;
  /** Held-out feedback (eval split of the current data set), per task. */
  feedback: TrainingExample[];
}

/** What one model wrote for every evaluation input. */
export interface ModelOutputs {
  fixedImpressions: string[];
  fixedLabels: LabelAssignment[];
  feedback: Map<TrainingExample, string[] | string>;
}

export class EvaluationDataError extends Error {
  constructor(readonly path: string) {
    super(
      `evaluation data not found at ${path}: set RETRAIN_OPENI_DIR to the Open-i folder (reports.csv, labels-negbio14.csv)`,
    );
    this.name = 'EvaluationDataError';
  }
}

/** Reads the fixed evaluation set from Open-i's CSV files, in place. */
export function loadFixedEvaluationSet(openiDir: string, size: number): FixedEvaluationSet {
  const reportsPath = join(openiDir, 'reports.csv');
  const negbioPath = join(openiDir, 'labels-negbio14.csv');
  for (const path of [reportsPath, negbioPath]) if (!existsSync(path)) throw new EvaluationDataError(path);
  const reports = parse(readFileSync(reportsPath), { columns: true }) as OpenIReportRow[];
  const negbio = parse(readFileSync(negbioPath), { columns: true }) as Record<string, string>[];
  return fixedEvaluationSet(reports, negbio, { limit: size });
}

/** The labels or text of an answer (labels as `radflow eval` reads them); an unparseable answer counts as no labels / its raw text. */
function readAnswer(task: TaskName, text: string): string[] | string {
  if (task === 'abnormality_labels' || task === 'device_labels') return parseModelLabels(task, text) ?? [];
  try {
    const parsed = parseAnswer(task, text);
    if (parsed.format === 'text') return parsed.text;
  } catch {
    // A malformed answer scores as what it is: the words it did write.
  }
  return text.trim();
}

/** Runs one model over every evaluation input; requests go in together so the runtime batches them. */
export async function modelOutputs(
  modelDir: string,
  inputs: EvaluationInputs,
  options: { maxNewTokens: number; threads: number; onDone?: (done: number, total: number) => void },
): Promise<ModelOutputs> {
  const handle = await ModelHandle.load(modelDir, {
    threads: options.threads,
    maxBatch: 8,
    queueLimit: 100_000,
    logger: silentLogger,
  });
  const total = inputs.fixed.examples.length * 2 + inputs.feedback.length;
  let done = 0;
  const tick = <T>(value: T): T => {
    done++;
    if (done % 10 === 0 || done === total) options.onDone?.(done, total);
    return value;
  };
  const deadlineMs = 30 * 60_000;
  try {
    const fixedImpressions = Promise.all(
      inputs.fixed.examples.map(async (e) => {
        const out = await handle.runTask(
          'impression',
          { findings: e.findings },
          { deadlineMs, maxNewTokens: options.maxNewTokens },
        );
        return tick(out.answer?.format === 'text' ? out.answer.text : out.text);
      }),
    );
    const fixedLabels = Promise.all(
      inputs.fixed.examples.map(async (e) => {
        const out = await handle.runTask('abnormality_labels', { report: e.reportText }, { deadlineMs });
        return tick(presentAssignment(out.answer?.format === 'labels' ? out.answer.labels : []));
      }),
    );
    const feedback = Promise.all(
      inputs.feedback.map(async (e) => {
        const labels = taskCatalog.tasks[e.task].answer === 'labels';
        // The task's adapter, grammar and repetition guard, as runTask would: a routed model (radflow-cxr) otherwise
        // answers with its default adapter, and candidate and current would give the same drafts.
        const out = await handle.generate(e.prompt, {
          deadlineMs,
          ...handle.taskGeneration(e.task),
          ...(labels ? {} : { maxNewTokens: options.maxNewTokens }),
        });
        return tick([e, readAnswer(e.task, out.text)] as const);
      }),
    );
    // Awaited together: one failing while another is awaited would be an unhandled rejection.
    const [impressions, labels, answers] = await Promise.all([fixedImpressions, fixedLabels, feedback]);
    return { fixedImpressions: impressions, fixedLabels: labels, feedback: new Map(answers) };
  } finally {
    await handle.drainAndRelease();
  }
}

/** Pairs both models' outputs with the references, per evaluation set, for the gate. */
export function evaluationSets(
  inputs: EvaluationInputs,
  candidate: ModelOutputs,
  current: ModelOutputs,
): EvaluationSetOutputs[] {
  const sets: EvaluationSetOutputs[] = [
    {
      name: 'fixed',
      impressions: {
        references: inputs.fixed.examples.map((e) => e.impression),
        candidate: candidate.fixedImpressions,
        current: current.fixedImpressions,
      },
      labels: {
        labelIds: inputs.fixed.labelIds,
        gold: inputs.fixed.examples.map((e) => e.goldLabels),
        candidate: candidate.fixedLabels,
        current: current.fixedLabels,
      },
    },
  ];
  const ofTask = (task: TaskName) => inputs.feedback.filter((e) => e.task === task);
  const impressions = ofTask('impression');
  const feedbackSet: EvaluationSetOutputs = { name: 'feedback' };
  if (impressions.length > 0) {
    feedbackSet.impressions = {
      references: impressions.map((e) => e.answer),
      candidate: impressions.map((e) => String(candidate.feedback.get(e) ?? '')),
      current: impressions.map((e) => String(current.feedback.get(e) ?? '')),
    };
  }
  for (const task of ['abnormality_labels', 'device_labels'] as const) {
    const examples = ofTask(task);
    if (examples.length === 0) continue;
    const labelsOf = (outputs: ModelOutputs, e: TrainingExample) => {
      const value = outputs.feedback.get(e);
      return presentAssignment(Array.isArray(value) ? value : []);
    };
    const labels = {
      labelIds: taskCatalog.tasks[task].vocabulary!.ids,
      gold: examples.map((e) => presentAssignment(parseModelLabels(task, e.answer) ?? [])),
      candidate: examples.map((e) => labelsOf(candidate, e)),
      current: examples.map((e) => labelsOf(current, e)),
    };
    if (task === 'abnormality_labels') feedbackSet.labels = labels;
    else sets.push({ name: 'feedback-devices', labels });
  }
  if (feedbackSet.impressions || feedbackSet.labels) sets.splice(1, 0, feedbackSet);
  return sets;
}
