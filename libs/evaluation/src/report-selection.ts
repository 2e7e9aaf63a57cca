import type { LabelValue } from '@radflow/metrics';
import { collapseWhitespace } from './whitespace.ts';

/** One Open-i report row (the columns the evaluation reads). */
export interface EvalReportRow {
  uid: string;
  /** Open-i's Problems column: "normal" for the reports the annotators found normal. */
  problems: string;
  findings: string;
  impression: string;
}

/**
 * Whether a report has anything to read: Open-i has reports with neither findings nor impression (21 of 3,080).
 * Every command counts and skips them (a model prompt needs non-empty text; an empty report has nothing to label).
 */
export function hasReportText(row: { findings: string; impression: string }): boolean {
  return row.findings.trim() !== '' || row.impression.trim() !== '';
}

/** The reports the impression task scores (both findings and impression), and how many it left out and why. */
export function selectImpressionReports<R extends EvalReportRow>(
  rows: readonly R[],
): { usable: R[]; skipped: { empty: number; noFindings: number; noImpression: number } } {
  return {
    usable: rows.filter((r) => collapseWhitespace(r.findings) && collapseWhitespace(r.impression)),
    skipped: {
      empty: rows.filter((r) => !hasReportText(r)).length,
      noFindings: rows.filter((r) => hasReportText(r) && !collapseWhitespace(r.findings)).length,
      noImpression: rows.filter((r) => hasReportText(r) && !collapseWhitespace(r.impression)).length,
    },
  };
}

/** The reports with text and a reference row (e.g. NegBio's), their reference labels, and how many were left out. */
export function selectLabelReports<R extends EvalReportRow, G extends Record<string, LabelValue>>(
  rows: readonly R[],
  reference: ReadonlyMap<string, G>,
): { usable: R[]; references: G[]; skipped: { empty: number; noReference: number } } {
  const withText = rows.filter(hasReportText);
  const usable = withText.filter((r) => reference.has(r.uid));
  return {
    usable,
    references: usable.map((r) => reference.get(r.uid)!),
    skipped: { empty: rows.length - withText.length, noReference: withText.length - usable.length },
  };
}
