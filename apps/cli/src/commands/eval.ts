import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { loadConfig } from '@radflow/config';
import { RULE_LABELER, DEVICE_IDS, checkDraftImpression } from '@radflow/labels';
import type { LabelSource } from '@radflow/enrichment';
import { renderTextTable, DEFAULT_RESAMPLES, DEFAULT_SEED, type UncertainPolicy } from '@radflow/metrics';
import {
  abnormalityLabelLines,
  baselineImpression,
  buildHtmlReport,
  buildImpressionTable,
  buildLabelSummaryTable,
  buildPerLabelTable,
  collapseWhitespace,
  deviceLabelLines,
  enricherLabelStates,
  hasReportText,
  impressionLines,
  labelTaskReport,
  parseModelLabels,
  presentAssignment,
  ruleAbnormalityCalls,
  ruleCallStates,
  ruleDeviceStates,
  scoreImpressionTask,
  scoreLabelTask,
  selectImpressionReports,
  selectLabelReports,
  type EvalResults,
  type EvalTask,
} from '@radflow/evaluation';
import type { PromptInputs } from '@radflow/prompts';
import {
  annotatedLabels,
  EvalInputError,
  readNegbioCsv,
  readReportsCsv,
  unannotatedLine,
} from './label-accuracy.ts';

export type { EvalResults, EvalTask } from '@radflow/evaluation';
// `radflow labels` builds its model inputs and reads its answers as the eval does.
export { labelTaskReport, parseModelLabels } from '@radflow/evaluation';

/** The Rad-Phi2 tasks `radflow eval` asks the model for. */
export type ModelTask = 'impression' | 'abnormality_labels' | 'device_labels';
/** Runs the model on a batch of task inputs, one raw answer per input, in order. */
export type GenerateFn = (task: ModelTask, inputs: PromptInputs[]) => Promise<string[]>;

export interface EvalOptions {
  task: EvalTask;
  /** Reports in the columns of Open-i's reports.csv. */
  reportsCsv: string;
  /** Labels in the columns of labels-negbio14.csv (needed for the labels task). */
  labelsCsv?: string;
  /** A model directory for @radflow/model-runtime (used when `generate` is not given). */
  modelDir?: string;
  /** Where to write eval-results.json and eval-report.html (nothing is written without it). */
  outDir?: string;
  /** Only these report uids (e.g. the validation split). */
  uids?: Iterable<string>;
  /** At most this many reports (after the uid filter, in file order). */
  limit?: number;
  /** The model call; defaults to loading `modelDir` with @radflow/model-runtime. */
  generate?: GenerateFn;
  /** Model name and version to show when `generate` is given. */
  model?: { name: string; version: string };
  /** Whose labels the enricher emits (ENRICHMENT_LABELS); the "enricher (merged)" row follows it. */
  labelSource?: LabelSource;
  /** uid lists of the trainer's splits (train.txt gives the baseline's impression). */
  splitsDir?: string;
  resamples?: number;
  seed?: number;
  /** How an uncertain rule label counts against NegBio (default 'negative', NegBio's convention). */
  uncertain?: UncertainPolicy;
  /** Inputs per `generate` call (the progress bar moves per batch). */
  batchSize?: number;
  print?: (line: string) => void;
  progress?: boolean;
}

function readUidList(file: string): Set<string> | undefined {
  if (!existsSync(file)) return undefined;
  return new Set(
    readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

interface LoadedModel {
  generate: GenerateFn;
  info: { name: string; version: string };
  close: () => Promise<void>;
}

/**
 * The default model call: @radflow/model-runtime's ModelHandle, greedy, answers as the task parsers read them; the
 * served settings (INFERENCE_QUANTIZED, INFERENCE_THREADS, INFERENCE_MAX_BATCH) so the figures are the served model's.
 */
async function loadModel(modelDir: string): Promise<LoadedModel> {
  const { ModelHandle } = await import('@radflow/model-runtime');
  const { inference } = loadConfig();
  const handle = await ModelHandle.load(modelDir, {
    quantized: inference.quantized,
    threads: inference.threads,
    maxBatch: inference.maxBatch,
  });
  return {
    info: handle.info,
    close: () => handle.drainAndRelease(),
    generate: (task, inputs) =>
      Promise.all(
        inputs.map(async (input) => {
          const out = await handle.runTask(task, input, { deadlineMs: 10 * 60_000 });
          if (out.answer?.format === 'text') return out.answer.text;
          if (out.answer?.format === 'labels') return out.answer.labels.join(', ') || 'none';
          return out.text;
        }),
      ),
  };
}

async function generateAll(
  generate: GenerateFn,
  task: ModelTask,
  inputs: PromptInputs[],
  batchSize: number,
  progress: boolean,
): Promise<string[]> {
  const bar = progress
    ? new cliProgress.SingleBar(
        { format: `${task} |{bar}| {value}/{total} reports | {eta_formatted} left`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(inputs.length, 0);
  const outputs: string[] = [];
  try {
    for (let i = 0; i < inputs.length; i += batchSize) {
      const batch = inputs.slice(i, i + batchSize);
      const answers = await generate(task, batch);
      if (answers.length !== batch.length)
        throw new Error(`generate returned ${answers.length} answers for ${batch.length} ${task} inputs`);
      outputs.push(...answers);
      bar?.increment(batch.length);
    }
  } finally {
    bar?.stop();
  }
  return outputs;
}

/** The model's labels for the reports (null for an answer that does not parse). */
async function modelLabels(
  generate: GenerateFn,
  task: 'abnormality_labels' | 'device_labels',
  reports: readonly { findings: string; impression: string }[],
  batchSize: number,
  progress: boolean,
): Promise<(string[] | null)[]> {
  const answers = await generateAll(
    generate,
    task,
    reports.map((r) => ({ report: labelTaskReport(r) })),
    batchSize,
    progress,
  );
  return answers.map((answer) => parseModelLabels(task, answer));
}

/** One JSON object a line, for reading a run's answers beside their references. */
function writeJsonLines(dir: string, file: string, rows: readonly object[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
}

/** A model's parsed labels as predictions, and how many answers did not parse (scored as no labels). */
function asPredictions(parsed: readonly (string[] | null)[]) {
  return {
    predictions: parsed.map((p) => presentAssignment(p ?? [])),
    unparsed: parsed.filter((p) => p === null).length,
  };
}

/**
 * `radflow eval`: the paper's metrics with 95% bootstrap intervals for the model, beside the rule labeler (label
 * tasks) and a trivial baseline, for all / normal / abnormal reports. Prints the tables; with `outDir`, writes
 * eval-results.json and eval-report.html. The scoring and the report are @radflow/evaluation's; this reads the CSVs,
 * runs the model and the rule labeler, and writes the files.
 */
export async function runEval(options: EvalOptions): Promise<EvalResults> {
  const print = options.print ?? ((line: string) => console.log(line));
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const seed = options.seed ?? DEFAULT_SEED;
  const uncertain = options.uncertain ?? 'negative';
  const batchSize = options.batchSize ?? 16;
  const progress = options.progress ?? process.stderr.isTTY === true;
  const tasks =
    options.task === 'all' ? (['impression', 'labels', 'devices'] as const) : ([options.task] as const);
  if (!['impression', 'labels', 'devices', 'all'].includes(options.task))
    throw new EvalInputError('--task', `unknown task ${String(options.task)}`);
  if (tasks.includes('labels' as never) && !options.labelsCsv)
    throw new EvalInputError('--labels', 'the labels task needs a NegBio labels CSV');

  const allRows = readReportsCsv(options.reportsCsv);
  const wanted = options.uids ? new Set(options.uids) : null;
  let rows = wanted ? allRows.filter((r) => wanted.has(r.uid)) : allRows;
  if (options.limit !== undefined) rows = rows.slice(0, Math.max(0, options.limit));
  const trainUids = readUidList(join(resolve(options.splitsDir ?? 'models/training/splits'), 'train.txt'));

  let model: LoadedModel | null = null;
  if (options.generate)
    model = {
      generate: options.generate,
      info: options.model ?? { name: 'injected', version: 'unknown' },
      close: async () => {},
    };
  else if (options.modelDir) model = await loadModel(options.modelDir);

  const bootstrap = { resamples, seed, uncertain };
  const results: EvalResults = {
    generatedAt: new Date().toISOString(),
    task: options.task,
    reports: rows.length,
    model: model?.info ?? null,
    rules: { ...RULE_LABELER },
    bootstrap: { resamples, seed, level: 0.95, method: 'percentile' },
    uncertain,
    notes: [
      'Scores are x100 with 95% percentile bootstrap intervals; normal = reports whose Problems column is "normal".',
      'Model outputs are preliminary AI-generated drafts for a radiologist, never a final read.',
    ],
    tables: {},
  };
  const modelName = model ? `${model.info.name}` : null;

  try {
    if (tasks.includes('impression' as never)) {
      const { usable, skipped } = selectImpressionReports(rows);
      const drafts = model
        ? await generateAll(
            model.generate,
            'impression',
            usable.map((r) => ({ findings: collapseWhitespace(r.findings) })),
            batchSize,
            progress,
          )
        : null;
      // What the enricher emits: the draft after the rules' check against the findings (ENRICHMENT_DRAFT_CHECK).
      const checked = drafts?.map((draft, i) =>
        checkDraftImpression(collapseWhitespace(usable[i]!.findings), draft),
      );
      results.impression = scoreImpressionTask({
        usable,
        skipped,
        baseline: baselineImpression(trainUids ? allRows : usable, trainUids),
        ...(drafts ? { model: { name: modelName!, drafts } } : {}),
        ...(checked ? { others: { 'enricher (checked)': checked.map((c) => c.impression) } } : {}),
        bootstrap,
      });
      if (drafts && options.outDir) {
        // Open-i is public, de-identified data: the drafts are kept for reading beside the references.
        writeJsonLines(
          options.outDir,
          'impressions.jsonl',
          usable.map((r, i) => ({
            uid: r.uid,
            draft: drafts[i],
            ...(checked![i]!.edits.length > 0
              ? { checked: checked![i]!.impression, edits: checked![i]!.edits }
              : {}),
            signed: r.impression,
          })),
        );
      }
      results.tables['impression'] = renderTextTable(buildImpressionTable(results.impression));
      impressionLines(results.impression, results.tables['impression']).forEach((line) => print(line));
    }

    if (tasks.includes('labels' as never)) {
      const gold = readNegbioCsv(options.labelsCsv!);
      const { usable, references, skipped } = selectLabelReports(rows, gold);
      const { scored: labels, unannotated } = annotatedLabels(gold);
      const parsed = model
        ? await modelLabels(model.generate, 'abnormality_labels', usable, batchSize, progress)
        : null;
      if (parsed && options.outDir) {
        // Beside impressions.jsonl: each report's labels from the model and from NegBio, to read the misses.
        writeJsonLines(
          options.outDir,
          'labels.jsonl',
          usable.map((r, i) => ({
            uid: r.uid,
            model: parsed[i],
            negbio: labels.filter((label) => references[i]![label] === 'present'),
          })),
        );
      }
      const ruleCalls = usable.map(ruleAbnormalityCalls);
      const predictions: Record<string, ReturnType<typeof ruleCallStates>[]> = {};
      let unparsed: number | undefined;
      if (parsed) ({ predictions: predictions[modelName!], unparsed } = asPredictions(parsed));
      predictions['rules'] = ruleCalls.map(ruleCallStates);
      if (parsed) {
        // What the enricher emits (libs/enrichment mergeLabelCalls, ENRICHMENT_LABELS), and the other choice beside it.
        const configured = options.labelSource ?? loadConfig().inference.labelSource;
        const other = configured === 'rules' ? 'rules-then-model' : 'rules';
        const merged = (source: LabelSource) =>
          parsed.map((p, i) => enricherLabelStates(p ?? [], ruleCalls[i]!, source));
        predictions['enricher (merged)'] = merged(configured);
        predictions[`merged if ${other}`] = merged(other);
      }
      const { results: scored, baselineSet } = scoreLabelTask({
        reference: `NegBio gold standard, the ${labels.length} labels it annotates (labels-negbio14.csv)`,
        labels,
        unannotated,
        usable,
        gold: references,
        predictions,
        baselineFrom: trainUids
          ? [...gold].filter(([uid]) => trainUids.has(uid)).map(([, g]) => g)
          : references,
        ...(unparsed !== undefined ? { unparsed } : {}),
        skipped,
        bootstrap,
      });
      results.labels = scored;
      results.tables['labels'] = renderTextTable(buildLabelSummaryTable(scored));
      results.tables['labels-per-label'] = renderTextTable(buildPerLabelTable(scored));
      abnormalityLabelLines(
        scored,
        { uncertain, baselineSet, unannotatedLine: unannotatedLine(unannotated, gold.size) },
        { summary: results.tables['labels'], perLabel: results.tables['labels-per-label'] },
      ).forEach((line) => print(line));
    }

    if (tasks.includes('devices' as never)) {
      const usable = rows.filter(hasReportText);
      const reference = usable.map(ruleDeviceStates);
      const parsed = model
        ? await modelLabels(model.generate, 'device_labels', usable, batchSize, progress)
        : null;
      const fromModel = parsed ? asPredictions(parsed) : null;
      const { results: scored, baselineSet } = scoreLabelTask({
        reference: `the rule labeler ${RULE_LABELER.name} ${RULE_LABELER.version} (Open-i has no human device labels at this granularity)`,
        labels: [...DEVICE_IDS],
        usable,
        gold: reference,
        predictions: fromModel ? { [modelName!]: fromModel.predictions } : {},
        baselineFrom: reference,
        ...(fromModel ? { unparsed: fromModel.unparsed } : {}),
        skipped: { empty: rows.length - usable.length },
        bootstrap,
      });
      results.devices = scored;
      results.tables['devices'] = renderTextTable(buildLabelSummaryTable(scored));
      results.tables['devices-per-label'] = renderTextTable(buildPerLabelTable(scored));
      deviceLabelLines(scored, baselineSet, {
        summary: results.tables['devices'],
        perLabel: results.tables['devices-per-label'],
      }).forEach((line) => print(line));
    }
  } finally {
    await model?.close();
  }

  if (options.outDir) {
    const dir = resolve(options.outDir);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'eval-results.json'), JSON.stringify(results, null, 2) + '\n');
    writeFileSync(join(dir, 'eval-report.html'), buildHtmlReport(results));
    print(`\nwrote ${join(dir, 'eval-results.json')} and ${join(dir, 'eval-report.html')}`);
  }
  return results;
}
