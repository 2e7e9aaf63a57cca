import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { loadConfig } from '@radflow/config';
import { labelReport, RULE_LABELER, DEVICE_IDS, type LabelState } from '@radflow/labels';
import { mergeLabelCalls, type LabelSource } from '@radflow/enrichment';
import {
  drawResamples,
  formatInterval,
  labelIntervals,
  renderHtmlReport,
  renderTextTable,
  scoreLabels,
  scoreTextPairs,
  textIntervals,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  TEXT_METRICS,
  type BarChart,
  type ConfidenceInterval,
  type LabelIntervals,
  type LabelPair,
  type LabelReport,
  type ReportSection,
  type TextMetric,
  type TextTable,
  type UncertainPolicy,
  repeatedNgram,
} from '@radflow/metrics';
import { parseLabels, taskCatalog, type LabelVocabulary, type PromptInputs } from '@radflow/prompts';
import {
  annotatedLabels,
  emptyReportsLine,
  EvalInputError,
  hasReportText,
  readNegbioCsv,
  readReportsCsv,
  unannotatedLine,
  type OpeniReportRow,
} from './label-accuracy.ts';

export type EvalTask = 'impression' | 'labels' | 'devices' | 'all';
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

export const SUBSETS = ['all', 'normal', 'abnormal'] as const;
export type Subset = (typeof SUBSETS)[number];

export interface ImpressionGeneration {
  distinct: number;
  repeated3gram: number;
  repeatedExamples: string[];
}

export interface ImpressionResults {
  /** Reports with both findings and impression, per subset. */
  counts: Record<Subset, number>;
  /** Reports left out: neither findings nor impression, or only one of them (the task needs both). */
  skipped: { empty: number; noFindings: number; noImpression: number };
  baseline: { impression: string; source: 'train split' | 'evaluated reports' };
  /** system -> subset -> metric -> interval (scores in [0, 1]). */
  systems: Record<string, Record<Subset, Record<TextMetric, ConfidenceInterval> | null>>;
  rougeStemmer: false;
  /** The model's drafts only. */
  generation?: ImpressionGeneration;
}

export interface LabelSystemResult {
  scores: LabelReport;
  intervals: LabelIntervals;
}

export interface LabelTaskResults {
  /** What the systems are scored against. */
  reference: string;
  labels: string[];
  /** Labels the reference never marks present, so not scored (abnormality labels only). */
  unannotated?: string[];
  counts: Record<Subset, number>;
  /** system -> subset -> result (null for an empty subset). */
  systems: Record<string, Record<Subset, LabelSystemResult | null>>;
  /** Model answers that did not parse (scored as no labels). */
  unparsed?: number;
  /** Reports left out: neither findings nor impression; without a NegBio row (abnormality labels only). */
  skipped: { empty: number; noReference?: number };
}

export interface EvalResults {
  generatedAt: string;
  task: EvalTask;
  reports: number;
  model: { name: string; version: string } | null;
  rules: { name: string; version: string };
  bootstrap: { resamples: number; seed: number; level: 0.95; method: 'percentile' };
  uncertain: UncertainPolicy;
  impression?: ImpressionResults;
  labels?: LabelTaskResults;
  devices?: LabelTaskResults;
  notes: string[];
  tables: Record<string, string>;
}

// ---------- pure parts ----------

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The most frequent non-empty text (whitespace-normalised); ties go to the one seen first. */
export function mostFrequent(texts: Iterable<string>): string | null {
  const counts = new Map<string, number>();
  for (const text of texts) {
    const key = collapse(text);
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const [text, count] of counts) {
    if (count > bestCount) {
      best = text;
      bestCount = count;
    }
  }
  return best;
}

/** The trivial baseline: the most frequent impression of the train split when it is known, else of the given rows. */
export function baselineImpression(
  rows: readonly OpeniReportRow[],
  trainUids?: ReadonlySet<string>,
): ImpressionResults['baseline'] {
  const train = trainUids ? rows.filter((r) => trainUids.has(r.uid)) : [];
  const fromTrain = train.length > 0 ? mostFrequent(train.map((r) => r.impression)) : null;
  if (fromTrain !== null) return { impression: fromTrain, source: 'train split' };
  return { impression: mostFrequent(rows.map((r) => r.impression)) ?? '', source: 'evaluated reports' };
}

/** The most frequent label set (as a sorted key) among reports: the labels baseline. */
export function mostFrequentLabelSet(sets: Iterable<Iterable<string>>): string[] {
  const key = mostFrequent([...sets].map((s) => [...s].sort().join('|') || '∅'));
  return key === null || key === '∅' ? [] : key.split('|');
}

/** Row indices of all reports, those the annotators called normal (Problems = "normal"), and the rest. */
export function subsetIndices(rows: readonly Pick<OpeniReportRow, 'problems'>[]): Record<Subset, number[]> {
  const all = rows.map((_, i) => i);
  const normal = all.filter((i) => collapse(rows[i]!.problems).toLowerCase() === 'normal');
  const normalSet = new Set(normal);
  return { all, normal, abnormal: all.filter((i) => !normalSet.has(i)) };
}

/** The {report} input of the label tasks: findings and impression as 'SECTION: text' lines, as the trainer writes it. */
export function labelTaskReport(row: Pick<OpeniReportRow, 'findings' | 'impression'>): string {
  const lines: string[] = [];
  if (collapse(row.findings)) lines.push(`FINDINGS: ${collapse(row.findings)}`);
  if (collapse(row.impression)) lines.push(`IMPRESSION: ${collapse(row.impression)}`);
  return lines.join('\n');
}

/** Label ids of a model answer, or null when it does not parse. */
export function parseModelLabels(
  task: 'abnormality_labels' | 'device_labels',
  answer: string,
): string[] | null {
  const vocabulary = taskCatalog.tasks[task].vocabulary as LabelVocabulary;
  try {
    return parseLabels(task, answer, vocabulary);
  } catch {
    return null;
  }
}

const METRIC_NAMES: Record<TextMetric, string> = {
  rougeL: 'ROUGE-L',
  bleu1: 'BLEU-1',
  f1: 'F1',
  precision: 'Precision',
  recall: 'Recall',
};

/** Impression table: one row per subset and metric, one column per system. */
export function buildImpressionTable(results: ImpressionResults): TextTable {
  const systems = Object.keys(results.systems);
  const rows: string[][] = [];
  for (const subset of SUBSETS) {
    for (const metric of TEXT_METRICS) {
      rows.push([
        `${subset} (n=${results.counts[subset]}) ${METRIC_NAMES[metric]}`,
        ...systems.map((s) => formatInterval(results.systems[s]![subset]?.[metric])),
      ]);
    }
  }
  return { headers: ['subset / metric', ...systems], rows };
}

/** Label table: micro P/R/F1 and macro F1 per subset, one column per system. */
export function buildLabelSummaryTable(results: LabelTaskResults): TextTable {
  const systems = Object.keys(results.systems);
  const rows: string[][] = [];
  for (const subset of SUBSETS) {
    const pick: [string, (r: LabelSystemResult) => ConfidenceInterval][] = [
      ['micro P', (r) => r.intervals.micro.precision],
      ['micro R', (r) => r.intervals.micro.recall],
      ['micro F1', (r) => r.intervals.micro.f1],
      ['macro F1', (r) => r.intervals.macro.f1],
    ];
    for (const [name, get] of pick) {
      rows.push([
        `${subset} (n=${results.counts[subset]}) ${name}`,
        ...systems.map((s) => {
          const r = results.systems[s]![subset];
          // With no reference positives in a subset, recall and F1 are undefined: show only precision there.
          if (!r || (r.scores.micro.tp + r.scores.micro.fn === 0 && name !== 'micro P')) return '—';
          return formatInterval(get(r));
        }),
      ]);
    }
  }
  return { headers: ['subset / metric', ...systems], rows };
}

/** Per-label F1 (all reports), one column per system. */
export function buildPerLabelTable(results: LabelTaskResults): TextTable {
  const systems = Object.keys(results.systems);
  return {
    headers: ['label', 'support', ...systems.map((s) => `${s} F1`)],
    rows: results.labels.map((label, j) => {
      const first = results.systems[systems[0]!]!.all;
      const support = first?.scores.perLabel[j]?.support ?? 0;
      return [
        label,
        String(support),
        ...systems.map((s) => {
          const r = results.systems[s]!.all;
          if (!r) return '—';
          return support === 0
            ? `— (${r.scores.perLabel[j]!.fp} FP)`
            : formatInterval(r.intervals.perLabelF1[label]);
        }),
      ];
    }),
  };
}

function chartsFor(
  title: string,
  systems: Record<string, Record<Subset, Record<string, ConfidenceInterval | null> | null>>,
  metrics: [string, string][],
): BarChart[] {
  const names = Object.keys(systems);
  return SUBSETS.map((subset) => ({
    title: `${title} — ${subset}`,
    series: names.map((name) => ({ name })),
    groups: metrics.map(([key, label]) => ({
      label,
      values: names.map((n) => systems[n]![subset]?.[key] ?? null),
    })),
  }));
}

function labelChartSystems(
  results: LabelTaskResults,
): Record<string, Record<Subset, Record<string, ConfidenceInterval | null> | null>> {
  const out: Record<string, Record<Subset, Record<string, ConfidenceInterval | null> | null>> = {};
  for (const [name, bySubset] of Object.entries(results.systems)) {
    out[name] = Object.fromEntries(
      SUBSETS.map((subset) => {
        const r = bySubset[subset];
        const positives = r ? r.scores.micro.tp + r.scores.micro.fn : 0;
        return [
          subset,
          r
            ? {
                p: r.intervals.micro.precision,
                r: positives ? r.intervals.micro.recall : null,
                f1: positives ? r.intervals.micro.f1 : null,
                macro: positives ? r.intervals.macro.f1 : null,
              }
            : null,
        ];
      }),
    ) as Record<Subset, Record<string, ConfidenceInterval | null> | null>;
  }
  return out;
}

/** The HTML report: bar charts with 95% intervals and the tables. */
export function buildHtmlReport(results: EvalResults): string {
  const sections: ReportSection[] = [];
  const labelMetrics: [string, string][] = [
    ['p', 'micro P'],
    ['r', 'micro R'],
    ['f1', 'micro F1'],
    ['macro', 'macro F1'],
  ];
  if (results.impression) {
    sections.push({
      heading: 'Impression from findings',
      notes: [
        `Trivial baseline (${results.impression.baseline.source}): the most frequent impression. ROUGE-L without stemming; per-example means.`,
      ],
      charts: chartsFor(
        'Impression',
        results.impression.systems as never,
        TEXT_METRICS.map((m) => [m, METRIC_NAMES[m]]),
      ),
      tables: [{ caption: 'Impression metrics [95% CI]', ...buildImpressionTable(results.impression) }],
    });
  }
  for (const [key, heading] of [
    ['labels', 'Abnormality labels'],
    ['devices', 'Tubes, lines and devices labels'],
  ] as const) {
    const r = results[key];
    if (!r) continue;
    sections.push({
      heading,
      notes: [`Reference: ${r.reference}.`],
      charts: chartsFor(heading, labelChartSystems(r), labelMetrics),
      tables: [
        { caption: `${heading}: micro / macro [95% CI]`, ...buildLabelSummaryTable(r) },
        { caption: `${heading}: F1 per label, all reports`, ...buildPerLabelTable(r) },
      ],
    });
  }
  return renderHtmlReport({
    title: 'radflow eval',
    subtitle: `${results.reports} reports; model ${results.model ? `${results.model.name} ${results.model.version}` : 'none'}; rules ${results.rules.name} ${results.rules.version}; ${results.bootstrap.resamples} bootstrap resamples (seed ${results.bootstrap.seed}). Model outputs are AI-generated drafts.`,
    sections: [...sections, { heading: 'Notes', notes: results.notes }],
  });
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
    return { gold: reference[i]!, predicted: statesOf(parsed ?? []) };
  });
  return { pairs, unparsed };
}

/** Decoding failures that ROUGE hides: how many drafts differ, how many repeat a 3-word phrase. */
export function generationChecks(drafts: readonly string[]): ImpressionGeneration {
  const repeats = drafts.filter((d) => repeatedNgram(d, 3) !== null);
  return {
    distinct: new Set(drafts.map((d) => d.trim().toLowerCase())).size,
    repeated3gram: repeats.length,
    repeatedExamples: repeats.slice(0, 5),
  };
}

function subsetOf<T>(items: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => items[i]!);
}

function scoreLabelSystems(
  pairsBySystem: Record<string, LabelPair[]>,
  labels: readonly string[],
  subsets: Record<Subset, number[]>,
  options: { resamples: number; seed: number; uncertain: UncertainPolicy },
): Record<string, Record<Subset, LabelSystemResult | null>> {
  const out: Record<string, Record<Subset, LabelSystemResult | null>> = {};
  const sets = Object.fromEntries(
    SUBSETS.map((s) => [s, drawResamples(subsets[s].length, options)]),
  ) as Record<Subset, Uint32Array[]>;
  for (const [name, pairs] of Object.entries(pairsBySystem)) {
    out[name] = Object.fromEntries(
      SUBSETS.map((subset) => {
        const chosen = subsetOf(pairs, subsets[subset]);
        if (chosen.length === 0) return [subset, null];
        return [
          subset,
          {
            scores: scoreLabels(chosen, labels, options),
            intervals: labelIntervals(chosen, labels, sets[subset], options),
          },
        ];
      }),
    ) as Record<Subset, LabelSystemResult | null>;
  }
  return out;
}

/** Prints how many reports a task left out and why (nothing when none was). */
function printSkipped(print: (line: string) => void, empty: number, others: [number, string][]): void {
  const emptyLine = emptyReportsLine(empty);
  if (emptyLine) print(emptyLine);
  for (const [count, why] of others) if (count > 0) print(`${count} report(s) skipped: ${why}`);
}

const statesOf = (ids: Iterable<string>): Record<string, LabelState> =>
  Object.fromEntries([...ids].map((id) => [id, 'present' as const]));

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
      const usable = rows.filter((r) => collapse(r.findings) && collapse(r.impression));
      const skipped = {
        empty: rows.filter((r) => !hasReportText(r)).length,
        noFindings: rows.filter((r) => hasReportText(r) && !collapse(r.findings)).length,
        noImpression: rows.filter((r) => hasReportText(r) && !collapse(r.impression)).length,
      };
      const subsets = subsetIndices(usable);
      const references = usable.map((r) => r.impression);
      const baseline = baselineImpression(trainUids ? allRows : usable, trainUids);
      const outputs: Record<string, string[]> = {};
      if (model)
        outputs[modelName!] = await generateAll(
          model.generate,
          'impression',
          usable.map((r) => ({ findings: collapse(r.findings) })),
          batchSize,
          progress,
        );
      outputs['baseline'] = usable.map(() => baseline.impression);
      const systems: ImpressionResults['systems'] = {};
      for (const [name, candidates] of Object.entries(outputs)) {
        const perExample = scoreTextPairs(candidates, references);
        systems[name] = Object.fromEntries(
          SUBSETS.map((subset) => {
            const idx = subsets[subset];
            if (idx.length === 0) return [subset, null];
            const scores = Object.fromEntries(
              TEXT_METRICS.map((m) => [m, subsetOf(perExample[m], idx)]),
            ) as Record<TextMetric, number[]>;
            return [subset, textIntervals(scores, drawResamples(idx.length, bootstrap))];
          }),
        ) as Record<Subset, Record<TextMetric, ConfidenceInterval> | null>;
      }
      const generation = model ? generationChecks(outputs[modelName!]!) : undefined;
      results.impression = {
        counts: { all: subsets.all.length, normal: subsets.normal.length, abnormal: subsets.abnormal.length },
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
      pairs['baseline'] = usable.map((_, i) => ({ gold: goldStates[i]!, predicted: statesOf(baselineSet) }));
      results.labels = {
        reference: `NegBio gold standard, the ${labels.length} labels it annotates (labels-negbio14.csv)`,
        labels,
        unannotated,
        counts: { all: subsets.all.length, normal: subsets.normal.length, abnormal: subsets.abnormal.length },
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
      pairs['baseline'] = usable.map((_, i) => ({ gold: reference[i]!, predicted: statesOf(baselineSet) }));
      results.devices = {
        reference: `the rule labeler ${RULE_LABELER.name} ${RULE_LABELER.version} (Open-i has no human device labels at this granularity)`,
        labels,
        counts: { all: subsets.all.length, normal: subsets.normal.length, abnormal: subsets.abnormal.length },
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
