import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { emptyReportsLine, hasReportText } from '@radflow/evaluation';
import { labelReport, NEGBIO_TO_LABEL, RULE_LABELER, type LabelState } from '@radflow/labels';
import {
  drawResamples,
  formatInterval,
  formatNumber,
  labelIntervals,
  renderTextTable,
  scoreLabels,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  type LabelIntervals,
  type LabelPair,
  type LabelReport,
  type TextTable,
  type UncertainPolicy,
} from '@radflow/metrics';

/** One report row of data/openi/reports.csv (the columns the commands use). */
export interface OpeniReportRow {
  uid: string;
  problems: string;
  findings: string;
  impression: string;
}

// Shared with `radflow eval`: which reports have text, and the line that counts those that have none.
export { emptyReportsLine, hasReportText };

/** A CSV the command was given cannot be used; says which file and why, never its content. */
export class EvalInputError extends Error {
  override readonly name = 'EvalInputError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

function readCsv(file: string, required: readonly string[]): Record<string, string>[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true, bom: true }) as Record<
      string,
      string
    >[];
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new EvalInputError(file, `cannot be read as CSV (${code})`);
  }
  const columns = new Set(Object.keys(rows[0] ?? {}));
  const missing = required.filter((c) => !columns.has(c));
  if (rows.length > 0 && missing.length > 0)
    throw new EvalInputError(file, `missing column(s) ${missing.join(', ')}`);
  return rows;
}

/** Reports in the columns of Open-i's reports.csv (uid, Problems, findings, impression; others ignored). */
export function readReportsCsv(file: string): OpeniReportRow[] {
  return readCsv(file, ['uid', 'findings', 'impression']).map((r) => ({
    uid: (r['uid'] ?? '').trim(),
    problems: r['Problems'] ?? '',
    findings: r['findings'] ?? '',
    impression: r['impression'] ?? '',
  }));
}

/** NegBio labels keyed by report uid (the CSV's `filename` is `CXR<uid>`); values are 0/1 per NegBio column. */
export function readNegbioCsv(file: string): Map<string, Record<string, LabelState>> {
  const rows = readCsv(file, ['filename', ...NEGBIO_TO_LABEL.keys()]);
  const out = new Map<string, Record<string, LabelState>>();
  for (const row of rows) {
    const uid = (row['filename'] ?? '').trim().replace(/^CXR/, '');
    const labels: Record<string, LabelState> = {};
    for (const [negbio, id] of NEGBIO_TO_LABEL) {
      const value = (row[negbio] ?? '').trim();
      if (value !== '0' && value !== '1')
        throw new EvalInputError(file, `column ${negbio} of CXR${uid} is neither 0 nor 1`);
      labels[id] = value === '1' ? 'present' : 'absent';
    }
    out.set(uid, labels);
  }
  return out;
}

/**
 * The labels a reference actually annotates: at least one report of the whole file marks it present. Open-i's NegBio
 * file never marks Hernia (0 of 3,080 rows, although 57 reports name a hernia), so every hernia a labeler finds
 * would count as a false positive; such a label is left out of the scores and named in the output instead.
 */
export function annotatedLabels(gold: ReadonlyMap<string, Record<string, LabelState>>): {
  scored: string[];
  unannotated: string[];
} {
  const seen = new Set<string>();
  for (const labels of gold.values())
    for (const [id, state] of Object.entries(labels)) if (state === 'present') seen.add(id);
  const all = [...NEGBIO_TO_LABEL.values()];
  return { scored: all.filter((id) => seen.has(id)), unannotated: all.filter((id) => !seen.has(id)) };
}

/** The line every command prints for labels it could not score (nothing when the reference annotates all). */
export function unannotatedLine(unannotated: readonly string[], rows: number): string | null {
  return unannotated.length > 0
    ? `not scored (the reference marks it present in none of its ${rows} rows): ${unannotated.join(', ')}`
    : null;
}

/** Label ids of the model for one report: the ids it wrote (present) or a state per label. */
export type ModelReportLabels = Iterable<string> | ReadonlyMap<string, LabelState>;

export interface LabelAccuracyOptions {
  reportsCsv: string;
  labelsCsv: string;
  /** Only these report uids (all labelled reports by default). */
  uids?: Iterable<string>;
  /** The model's abnormality labels per uid, shown beside the rules' (wired by whoever runs the model). */
  modelLabels?: ReadonlyMap<string, ModelReportLabels>;
  modelName?: string;
  /**
   * How an uncertain rule label counts. Default 'negative': NegBio's Open-i gold standard marks hedged findings
   * ("may represent pneumonia") as 0, so that is the convention to score against it with.
   */
  uncertain?: UncertainPolicy;
  resamples?: number;
  seed?: number;
  print?: (line: string) => void;
}

export interface SystemLabelScores {
  name: string;
  scores: LabelReport;
  intervals: LabelIntervals;
}

export interface LabelAccuracyResult {
  reports: number;
  /** NegBio label names in column order, and the vocabulary ids they map to. */
  labels: { negbio: string; id: string }[];
  uncertain: UncertainPolicy;
  resamples: number;
  seed: number;
  rules: SystemLabelScores;
  model?: SystemLabelScores;
  /** Requested uids without a report or a NegBio row (counted, not fatal). */
  skipped: number;
  /** Requested reports with neither findings nor impression (counted and skipped). */
  empty: number;
  table: string;
}

function asStates(labels: ModelReportLabels): Record<string, LabelState> {
  if (labels instanceof Map) return Object.fromEntries(labels);
  return Object.fromEntries([...(labels as Iterable<string>)].map((l) => [l, 'present' as const]));
}

/** Per-label P/R/F1 and micro/macro rows for one or two systems, with 95% intervals on the F1 columns. */
export function buildLabelTable(
  labels: readonly { negbio: string; id: string }[],
  systems: readonly SystemLabelScores[],
): TextTable {
  const headers = [
    'label',
    'support',
    ...systems.flatMap((s) => [`${s.name} P`, `${s.name} R`, `${s.name} F1 [95% CI]`]),
  ];
  const rows = labels.map(({ negbio, id }, j) => [
    negbio,
    String(systems[0]?.scores.perLabel[j]?.support ?? 0),
    ...systems.flatMap((s) => {
      const score = s.scores.perLabel[j]!;
      // No gold positives: recall and F1 are undefined; what is left to see is the false positives.
      if (score.support === 0)
        return [score.fp > 0 ? formatNumber(score.precision) : '—', '—', `— (${score.fp} FP)`];
      return [
        formatNumber(score.precision),
        formatNumber(score.recall),
        formatInterval(s.intervals.perLabelF1[id]),
      ];
    }),
  ]);
  const support = String(
    systems[0]?.scores.micro.tp !== undefined ? systems[0].scores.micro.tp + systems[0].scores.micro.fn : 0,
  );
  rows.push([
    'micro',
    support,
    ...systems.flatMap((s) => [
      formatInterval(s.intervals.micro.precision),
      formatInterval(s.intervals.micro.recall),
      formatInterval(s.intervals.micro.f1),
    ]),
  ]);
  rows.push([
    `macro (${systems[0]?.scores.macro.labels ?? 0} labels)`,
    '',
    ...systems.flatMap((s) => [
      formatInterval(s.intervals.macro.precision),
      formatInterval(s.intervals.macro.recall),
      formatInterval(s.intervals.macro.f1),
    ]),
  ]);
  return { headers, rows };
}

/**
 * Accuracy of the rule labeler (and optionally the model) on NegBio's 14 labels: per label P/R/F1, micro and
 * macro with percentile bootstrap intervals. Prints the table and returns the figures.
 */
export async function runLabelAccuracy(options: LabelAccuracyOptions): Promise<LabelAccuracyResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const uncertain = options.uncertain ?? 'negative';
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const seed = options.seed ?? DEFAULT_SEED;
  const reports = new Map(readReportsCsv(options.reportsCsv).map((r) => [r.uid, r]));
  const gold = readNegbioCsv(options.labelsCsv);
  const wanted = options.uids ? [...new Set(options.uids)] : [...reports.keys()];
  const known = wanted.filter((uid) => reports.has(uid) && gold.has(uid));
  const uids = known.filter((uid) => hasReportText(reports.get(uid)!));
  const empty = known.length - uids.length;
  const { scored, unannotated } = annotatedLabels(gold);
  const labels = [...NEGBIO_TO_LABEL]
    .filter(([, id]) => scored.includes(id))
    .map(([negbio, id]) => ({ negbio, id }));
  const ids = labels.map((l) => l.id);

  const rulePairs: LabelPair[] = [];
  const modelPairs: LabelPair[] = [];
  for (const uid of uids) {
    const report = reports.get(uid)!;
    const { abnormalities } = labelReport({ findings: report.findings, impression: report.impression });
    const goldLabels = gold.get(uid)!;
    rulePairs.push({
      gold: goldLabels,
      predicted: Object.fromEntries(abnormalities.map((a) => [a.label, a.state])),
    });
    if (options.modelLabels)
      modelPairs.push({ gold: goldLabels, predicted: asStates(options.modelLabels.get(uid) ?? []) });
  }

  const sets = drawResamples(uids.length, { resamples, seed });
  const score = (name: string, pairs: LabelPair[]): SystemLabelScores => ({
    name,
    scores: scoreLabels(pairs, ids, { uncertain }),
    intervals: labelIntervals(pairs, ids, sets, { uncertain }),
  });
  const rules = score('rules', rulePairs);
  const model = options.modelLabels ? score(options.modelName ?? 'model', modelPairs) : undefined;
  const table = renderTextTable(buildLabelTable(labels, model ? [rules, model] : [rules]));

  print(
    `Label accuracy on ${uids.length} reports against NegBio (${ids.length} labels); rule labeler ${RULE_LABELER.name} ${RULE_LABELER.version}`,
  );
  print(
    `uncertain rule labels count as ${uncertain}; 95% percentile bootstrap, ${resamples} resamples, seed ${seed}; scores x100`,
  );
  print(table);
  const notScored = unannotatedLine(unannotated, gold.size);
  if (notScored) print(notScored);
  const skipped = wanted.length - known.length;
  if (skipped > 0) print(`${skipped} requested report(s) skipped: no report or no NegBio row`);
  const emptyLine = emptyReportsLine(empty);
  if (emptyLine) print(emptyLine);
  return {
    reports: uids.length,
    labels,
    uncertain,
    resamples,
    seed,
    rules,
    ...(model ? { model } : {}),
    skipped,
    empty,
    table,
  };
}
