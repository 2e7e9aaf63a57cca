import type { ImpressionResults, LabelTaskResults } from './results.ts';

/** The line every command prints for the reports it skipped as empty (nothing when there are none). */
export function emptyReportsLine(count: number): string | null {
  return count > 0 ? `${count} report(s) skipped: neither findings nor impression` : null;
}

/** How many reports a task left out and why (no line for a reason that left none out). */
export function skippedLines(empty: number, others: readonly [number, string][]): string[] {
  const emptyLine = emptyReportsLine(empty);
  return [
    ...(emptyLine ? [emptyLine] : []),
    ...others.filter(([count]) => count > 0).map(([count, why]) => `${count} report(s) skipped: ${why}`),
  ];
}

/** The impression task as `radflow eval` prints it: what was scored, what was skipped, the table, the drafts. */
export function impressionLines(results: ImpressionResults, table: string): string[] {
  const { skipped, generation } = results;
  const scored = results.counts.all;
  return [
    `\nImpression from findings: ${scored} reports with findings and impression; baseline = most frequent impression of the ${results.baseline.source}`,
    ...skippedLines(skipped.empty, [
      [skipped.noFindings, 'no findings'],
      [skipped.noImpression, 'no impression'],
    ]),
    table,
    ...(generation
      ? [
          `${generation.distinct} distinct drafts for ${scored} reports; ${generation.repeated3gram} repeat a 3-word phrase`,
        ]
      : []),
  ];
}

const setText = (labels: readonly string[]) => labels.join(', ') || 'none';

/** The abnormality label task as `radflow eval` prints it. */
export function abnormalityLabelLines(
  results: LabelTaskResults,
  context: { uncertain: string; baselineSet: readonly string[]; unannotatedLine: string | null },
  tables: { summary: string; perLabel: string },
): string[] {
  return [
    `\nAbnormality labels vs NegBio (${results.labels.length} labels): ${results.counts.all} reports; uncertain rule labels count as ${context.uncertain}; baseline = most frequent label set (${setText(context.baselineSet)})`,
    ...skippedLines(results.skipped.empty, [[results.skipped.noReference ?? 0, 'no NegBio row']]),
    ...(context.unannotatedLine ? [context.unannotatedLine] : []),
    ...(results.unparsed !== undefined
      ? [`model answers that did not parse (scored as no labels): ${results.unparsed}`]
      : []),
    tables.summary,
    tables.perLabel,
  ];
}

/** The device label task as `radflow eval` prints it. */
export function deviceLabelLines(
  results: LabelTaskResults,
  baselineSet: readonly string[],
  tables: { summary: string; perLabel: string },
): string[] {
  return [
    `\nDevice labels vs the rule labeler: ${results.counts.all} reports; baseline = most frequent device set (${setText(baselineSet)})`,
    ...skippedLines(results.skipped.empty, []),
    ...(results.unparsed === undefined
      ? ['no model given: only the baseline is scored against the rule labeler']
      : []),
    tables.summary,
    tables.perLabel,
  ];
}
