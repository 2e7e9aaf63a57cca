import { deadLetterTopic, Topics } from '@radflow/events';

/**
 * The soak's verdict, pure: what each report should have produced, what was counted, and where the losses and
 * duplicates fall (per output and per fault window). No I/O here, so the rules are unit-tested on their own.
 */

/** Every output a finalized chest X-ray must produce exactly once. */
export const OUTPUTS = [
  'finalized',
  'triaged',
  'enriched',
  'outbound ORU',
  'FHIR AI DiagnosticReport',
  'FHIR worklist Task',
  'FHIR AI review Task',
  'FHIR Provenance',
] as const;
export type Output = (typeof OUTPUTS)[number];

/** The dead-letter topic of the input of the stage that makes each output: where a report lost there would be. */
export const DEAD_LETTERS_OF: Record<Output, string> = {
  finalized: deadLetterTopic(Topics.inboundHl7v2),
  triaged: deadLetterTopic(Topics.reportFinalized),
  enriched: deadLetterTopic(Topics.reportFinalized),
  'outbound ORU': deadLetterTopic(Topics.reportEnriched),
  'FHIR AI DiagnosticReport': deadLetterTopic(Topics.reportEnriched),
  'FHIR worklist Task': deadLetterTopic(Topics.reportTriaged),
  'FHIR AI review Task': deadLetterTopic(Topics.reportEnriched),
  'FHIR Provenance': deadLetterTopic(Topics.reportEnriched),
};

/** One report the soak sent: its index in the run and when the gateway acknowledged it (ms since epoch). */
export interface SentReport {
  index: number;
  accession: string;
  ackedAt: number;
}

/** A fault as it happened: what, and when it started and was over (the service back, the process serving). */
export interface FaultWindow {
  label: string;
  startedAt: number;
  endedAt: number;
}

/** What was counted for one accession: records or resources per output, and its records per `.dlq` topic. */
export interface ReportCounts {
  outputs: Partial<Record<Output, number>>;
  deadLetters: Partial<Record<string, number>>;
}

export interface Tally {
  reports: number;
  lost: number;
  duplicated: number;
  deadLettered: number;
}

export interface SoakVerdict {
  byOutput: Record<Output, Tally>;
  byWindow: { label: string; tally: Tally }[];
  /** Reports with any loss / any duplicate / any dead letter, over all outputs. */
  total: Tally;
  /** Indexes of reports with a problem, per kind, for the operator to look up (ids only). */
  lostReports: number[];
  duplicatedReports: number[];
  ok: boolean;
}

/** Reports acknowledged within a fault (or this long after it ended, while the pipeline catches up) belong to it. */
export const WINDOW_GRACE_MS = 5_000;
export const NO_FAULT = 'no fault';

/** The window a report falls in: the last fault that had started before its ACK and had not been over long. */
export function windowOf(ackedAt: number, windows: FaultWindow[]): string {
  let label = NO_FAULT;
  for (const window of windows) {
    if (ackedAt >= window.startedAt && ackedAt <= window.endedAt + WINDOW_GRACE_MS) label = window.label;
  }
  return label;
}

const emptyTally = (): Tally => ({ reports: 0, lost: 0, duplicated: 0, deadLettered: 0 });

export function judge(
  reports: SentReport[],
  counts: Map<string, ReportCounts>,
  windows: FaultWindow[],
): SoakVerdict {
  const byOutput = Object.fromEntries(OUTPUTS.map((o) => [o, emptyTally()])) as Record<Output, Tally>;
  const windowTallies = new Map<string, Tally>([[NO_FAULT, emptyTally()]]);
  for (const window of windows) windowTallies.set(window.label, emptyTally());
  const total = emptyTally();
  const lostReports: number[] = [];
  const duplicatedReports: number[] = [];

  for (const report of reports) {
    const counted = counts.get(report.accession) ?? { outputs: {}, deadLetters: {} };
    let lost = false;
    let duplicated = false;
    for (const output of OUTPUTS) {
      const n = counted.outputs[output] ?? 0;
      const tally = byOutput[output];
      tally.reports += 1;
      if (n === 0) tally.lost += 1;
      if (n > 1) tally.duplicated += 1;
      lost ||= n === 0;
      duplicated ||= n > 1;
      if ((counted.deadLetters[DEAD_LETTERS_OF[output]] ?? 0) > 0) tally.deadLettered += 1;
    }
    const deadLettered = Object.values(counted.deadLetters).some((n) => (n ?? 0) > 0);
    const window = windowTallies.get(windowOf(report.ackedAt, windows))!;
    for (const tally of [window, total]) {
      tally.reports += 1;
      if (lost) tally.lost += 1;
      if (duplicated) tally.duplicated += 1;
      if (deadLettered) tally.deadLettered += 1;
    }
    if (lost) lostReports.push(report.index);
    if (duplicated) duplicatedReports.push(report.index);
  }
  return {
    byOutput,
    byWindow: [...windowTallies].map(([label, tally]) => ({ label, tally })),
    total,
    lostReports,
    duplicatedReports,
    ok: total.lost === 0 && total.duplicated === 0,
  };
}

function table(header: string[], rows: (string | number)[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const tallyCells = (t: Tally) => [t.reports, t.lost, t.duplicated, t.deadLettered];

/** The printed result: per output, per fault window, totals. Report indexes only, never report content. */
export function formatVerdict(verdict: SoakVerdict, elapsedMs: number): string {
  const cols = ['reports', 'lost', 'duplicated', 'dead-lettered'];
  const shortList = (indexes: number[]) =>
    indexes.slice(0, 20).join(', ') + (indexes.length > 20 ? `, … (${indexes.length})` : '');
  return [
    table(
      ['output', ...cols],
      OUTPUTS.map((o) => [o, ...tallyCells(verdict.byOutput[o])]),
    ),
    '',
    table(
      ['fault window (by ACK time)', ...cols],
      verdict.byWindow.map(({ label, tally }) => [label, ...tallyCells(tally)]),
    ),
    '',
    table(['total (reports with any)', ...cols], [['all outputs', ...tallyCells(verdict.total)]]),
    ...(verdict.lostReports.length ? [`lost: report #${shortList(verdict.lostReports)}`] : []),
    ...(verdict.duplicatedReports.length
      ? [`duplicated: report #${shortList(verdict.duplicatedReports)}`]
      : []),
    `elapsed ${(elapsedMs / 1000).toFixed(1)} s: ${verdict.ok ? 'PASS (0 lost, 0 duplicated)' : 'FAIL'}`,
  ].join('\n');
}
