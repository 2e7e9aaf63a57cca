import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { loadConfig } from '@radflow/config';
import { labelReport, RULE_LABELER, DEVICE_IDS, type LabelState } from '@radflow/labels';
import { mergeLabelCalls, type LabelSource } from '@radflow/enrichment';
import {
  renderTextTable,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  type LabelPair,
  type UncertainPolicy,
} from '@radflow/metrics';
import {
  baselineImpression,
  buildHtmlReport,
  buildImpressionTable,
  buildLabelSummaryTable,
  buildPerLabelTable,
  collapseWhitespace,
  generationChecks,
  labelTaskReport,
  mostFrequentLabelSet,
  parseModelLabels,
  presentAssignment,
  scoreImpressionSystems,
  scoreLabelSystems,
  subsetCounts,
  subsetIndices,
  type EvalResults,
  type EvalTask,
} from '@radflow/evaluation';
import type { PromptInputs } from '@radflow/prompts';
import {
  annotatedLabels,
  emptyReportsLine,
  EvalInputError,
  hasReportText,
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

// ---------- I/O and orchestration ----------

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

/** The model's label answers for the reports beside their reference states; answers that do not parse count as none. */
async function modelLabelPairs(
  generate: GenerateFn,
  task: 'abnormality_labels' | 'device_labels',
  reports: readonly Parameters<typeof labelTaskReport>[0][],
  reference: readonly Record<string, LabelState>[],
  batchSize: number,
  progress: boolean,
): Promise<{ pairs: LabelPair[]; unparsed: number }> {
  const answers = await generateAll(
    generate,
    task,
    reports.map((r) => ({ report: labelTaskReport(r) })),
    batchSize,
    progress,
  );
  let unparsed = 0;
  const pairs = answers.map((answer, i) => {
    const parsed = parseModelLabels(task, answer);
    if (parsed === null) unparsed++;
    return { gold: reference[i]!, predicted: presentAssignment(parsed ?? []) };
  });
  return { pairs, unparsed };
}

/** Prints how many reports a task left out and why (nothing when none was). */
function printSkipped(print: (line: string) => void, empty: number, others: [number, string][]): void {
  const emptyLine = emptyReportsLine(empty);
  if (emptyLine) print(emptyLine);
  for (const [count, why] of others) if (count > 0) print(`${count} report(s) skipped: ${why}`);
}

/**
 * `radflow eval`: the paper's metrics with 95% bootstrap intervals for the model, beside the rule labeler (label
 * tasks) and a trivial baseline, for all / normal / abnormal reports. Prints the tables; with `outDir`, writes
 * eval-results.json and eval-report.html.
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
  const notes: string[] = [
    'Scores are x100 with 95% percentile bootstrap intervals; normal = reports whose Problems column is "normal".',
    'Model outputs are preliminary AI-generated drafts for a radiologist, never a final read.',
  ];
  const results: EvalResults = {
    generatedAt: new Date().toISOString(),
    task: options.task,
    reports: rows.length,
    model: model?.info ?? null,
    rules: { ...RULE_LABELER },
    bootstrap: { resamples, seed, level: 0.95, method: 'percentile' },
    uncertain,
    notes,
    tables: {},
  };
  const modelName = model ? `${model.info.name}` : null;

  try {
    if (tasks.includes('impression' as never)) {
      const usable = rows.filter((r) => collapseWhitespace(r.findings) && collapseWhitespace(r.impression));
      const skipped = {
        empty: rows.filter((r) => !hasReportText(r)).length,
        noFindings: rows.filter((r) => hasReportText(r) && !collapseWhitespace(r.findings)).length,
        noImpression: rows.filter((r) => hasReportText(r) && !collapseWhitespace(r.impression)).length,
      };
      const subsets = subsetIndices(usable);
      const references = usable.map((r) => r.impression);
      const baseline = baselineImpression(trainUids ? allRows : usable, trainUids);
      const outputs: Record<string, string[]> = {};
      if (model)
        outputs[modelName!] = await generateAll(
          model.generate,
          'impression',
          usable.map((r) => ({ findings: collapseWhitespace(r.findings) })),
          batchSize,
          progress,
        );
      outputs['baseline'] = usable.map(() => baseline.impression);
      const systems = scoreImpressionSystems(outputs, references, subsets, bootstrap);
      const generation = model ? generationChecks(outputs[modelName!]!) : undefined;
      results.impression = {
        counts: subsetCounts(subsets),
        skipped,
        baseline,
        systems,
        rougeStemmer: false,
        ...(generation ? { generation } : {}),
      };
      if (model && options.outDir) {
        // Open-i is public, de-identified data: the drafts are kept for reading beside the references.
        mkdirSync(options.outDir, { recursive: true });
        writeFileSync(
          join(options.outDir, 'impressions.jsonl'),
          usable
            .map((r, i) =>
              JSON.stringify({ uid: r.uid, draft: outputs[modelName!]![i], signed: r.impression }),
            )
            .join('\n') + '\n',
        );
      }
      const table = renderTextTable(buildImpressionTable(results.impression));
      results.tables['impression'] = table;
      print(
        `\nImpression from findings: ${usable.length} reports with findings and impression; baseline = most frequent impression of the ${baseline.source}`,
      );
      printSkipped(print, skipped.empty, [
        [skipped.noFindings, 'no findings'],
        [skipped.noImpression, 'no impression'],
      ]);
      print(table);
      if (generation)
        print(
          `${generation.distinct} distinct drafts for ${usable.length} reports; ${generation.repeated3gram} repeat a 3-word phrase`,
        );
    }

    if (tasks.includes('labels' as never)) {
      const gold = readNegbioCsv(options.labelsCsv!);
      const withText = rows.filter(hasReportText);
      const usable = withText.filter((r) => gold.has(r.uid));
      const skipped = { empty: rows.length - withText.length, noReference: withText.length - usable.length };
      const subsets = subsetIndices(usable);
      const { scored: labels, unannotated } = annotatedLabels(gold);
      const goldStates = usable.map((r) => gold.get(r.uid)!);
      const pairs: Record<string, LabelPair[]> = {};
      let unparsed = 0;
      if (model) {
        const scored = await modelLabelPairs(
          model.generate,
          'abnormality_labels',
          usable,
          goldStates,
          batchSize,
          progress,
        );
        pairs[modelName!] = scored.pairs;
        unparsed = scored.unparsed;
      }
      const ruleCalls = usable.map((r) =>
        labelReport({ findings: r.findings, impression: r.impression }).abnormalities.map((a) => ({
          label: a.label,
          state: a.state,
          mentioned: a.sentenceIndex !== null,
        })),
      );
      pairs['rules'] = usable.map((_, i) => ({
        gold: goldStates[i]!,
        predicted: Object.fromEntries(ruleCalls[i]!.map((call) => [call.label, call.state])),
      }));
      if (model) {
        // What the enricher emits (libs/enrichment mergeLabelCalls, ENRICHMENT_LABELS), and the other choice beside it.
        const configured = options.labelSource ?? loadConfig().inference.labelSource;
        const other = configured === 'rules' ? 'rules-then-model' : 'rules';
        const mergedPairs = (source: LabelSource) =>
          pairs[modelName!]!.map((pair, i) => {
            const predicted =
              pair.predicted instanceof Map ? Object.fromEntries(pair.predicted) : pair.predicted;
            const present = Object.keys(predicted).filter((label) => predicted[label] === 'present');
            const merged = mergeLabelCalls(present, ruleCalls[i]!, source).labels;
            return { gold: pair.gold, predicted: Object.fromEntries(merged.map((l) => [l.label, l.state])) };
          });
        pairs['enricher (merged)'] = mergedPairs(configured);
        pairs[`merged if ${other}`] = mergedPairs(other);
      }
      const trainGold = trainUids
        ? [...gold].filter(([uid]) => trainUids.has(uid)).map(([, g]) => g)
        : goldStates;
      const baselineSet = mostFrequentLabelSet(
        trainGold.map((g) => Object.keys(g).filter((k) => g[k] === 'present')),
      );
      pairs['baseline'] = usable.map((_, i) => ({
        gold: goldStates[i]!,
        predicted: presentAssignment(baselineSet),
      }));
      results.labels = {
        reference: `NegBio gold standard, the ${labels.length} labels it annotates (labels-negbio14.csv)`,
        labels,
        unannotated,
        counts: subsetCounts(subsets),
        systems: scoreLabelSystems(pairs, labels, subsets, bootstrap),
        ...(model ? { unparsed } : {}),
        skipped,
      };
      results.tables['labels'] = renderTextTable(buildLabelSummaryTable(results.labels));
      results.tables['labels-per-label'] = renderTextTable(buildPerLabelTable(results.labels));
      print(
        `\nAbnormality labels vs NegBio (${labels.length} labels): ${usable.length} reports; uncertain rule labels count as ${uncertain}; baseline = most frequent label set (${baselineSet.join(', ') || 'none'})`,
      );
      printSkipped(print, skipped.empty, [[skipped.noReference, 'no NegBio row']]);
      const notScored = unannotatedLine(unannotated, gold.size);
      if (notScored) print(notScored);
      if (model) print(`model answers that did not parse (scored as no labels): ${unparsed}`);
      print(results.tables['labels']);
      print(results.tables['labels-per-label']);
    }

    if (tasks.includes('devices' as never)) {
      const usable = rows.filter(hasReportText);
      const skipped = { empty: rows.length - usable.length };
      const subsets = subsetIndices(usable);
      const labels = [...DEVICE_IDS];
      const reference = usable.map((r) =>
        Object.fromEntries(
          labelReport({ findings: r.findings, impression: r.impression }).devices.map((d) => [
            d.label,
            d.state,
          ]),
        ),
      );
      const pairs: Record<string, LabelPair[]> = {};
      let unparsed = 0;
      if (model) {
        const scored = await modelLabelPairs(
          model.generate,
          'device_labels',
          usable,
          reference,
          batchSize,
          progress,
        );
        pairs[modelName!] = scored.pairs;
        unparsed = scored.unparsed;
      }
      const baselineSet = mostFrequentLabelSet(
        reference.map((g) => Object.keys(g).filter((k) => g[k] === 'present')),
      );
      pairs['baseline'] = usable.map((_, i) => ({
        gold: reference[i]!,
        predicted: presentAssignment(baselineSet),
      }));
      results.devices = {
        reference: `the rule labeler ${RULE_LABELER.name} ${RULE_LABELER.version} (Open-i has no human device labels at this granularity)`,
        labels,
        counts: subsetCounts(subsets),
        systems: scoreLabelSystems(pairs, labels, subsets, bootstrap),
        ...(model ? { unparsed } : {}),
        skipped,
      };
      results.tables['devices'] = renderTextTable(buildLabelSummaryTable(results.devices));
      results.tables['devices-per-label'] = renderTextTable(buildPerLabelTable(results.devices));
      print(
        `\nDevice labels vs the rule labeler: ${usable.length} reports; baseline = most frequent device set (${baselineSet.join(', ') || 'none'})`,
      );
      printSkipped(print, skipped.empty, []);
      if (!model) print('no model given: only the baseline is scored against the rule labeler');
      print(results.tables['devices']);
      print(results.tables['devices-per-label']);
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
