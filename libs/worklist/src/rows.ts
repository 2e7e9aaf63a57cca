import type { Label, ReportEnrichedPayload } from '@radflow/schemas';
import { modalityOf } from './modality.ts';
import type { ReviewState } from './review-state.ts';

export type PriorityLevel = ReportEnrichedPayload['enrichment']['priority']['level'];
export type ModelRouteKind = NonNullable<ReportEnrichedPayload['enrichment']['model']['route']>;

/** Worklist order of the priority levels: STAT first. */
export const PRIORITY_LEVELS: readonly PriorityLevel[] = ['stat', 'urgent', 'routine'];

/**
 * One line of the worklist: what a radiologist scans for, nothing more. `id` is opaque (a keyed hash of the
 * accession, made by the server): it is what URLs carry, never the accession itself.
 */
export interface WorklistRow {
  id: string;
  accession: string;
  procedure: string;
  modality: string;
  /** When the signed report was issued (as the source sent it), when present. */
  reportedAt?: string;
  /** When radflow enriched it: the worklist's "newest first". */
  enrichedAt: string;
  priority: PriorityLevel;
  reasons: string[];
  /** The model that drafted this report, and why it was that one (absent when degraded or unrouted). */
  model: { name: string; version: string; route?: ModelRouteKind };
  degraded: boolean;
  /** Labels on which the model and the rule labeler disagree. */
  disagreements: string[];
  state: ReviewState;
  /** Who gave the latest review verdict (a staff id), when there is one. */
  reviewedBy?: string;
}

export function priorityRank(level: PriorityLevel): number {
  const rank = PRIORITY_LEVELS.indexOf(level);
  return rank < 0 ? PRIORITY_LEVELS.length : rank;
}

/** STAT before URGENT before ROUTINE; newest first within a priority; the id breaks ties so order is total. */
export function compareRows(a: WorklistRow, b: WorklistRow): number {
  return (
    priorityRank(a.priority) - priorityRank(b.priority) ||
    Date.parse(b.enrichedAt) - Date.parse(a.enrichedAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function sortRows(rows: readonly WorklistRow[]): WorklistRow[] {
  return [...rows].sort(compareRows);
}

/**
 * The list after a row arrives live: a row with the same id is replaced (a newer report version or model
 * draft of the same exam), keeping its review state unless the arriving row carries a newer one.
 */
export function upsertRow(rows: readonly WorklistRow[], row: WorklistRow): WorklistRow[] {
  const existing = rows.find((r) => r.id === row.id);
  if (existing && Date.parse(existing.enrichedAt) > Date.parse(row.enrichedAt)) return [...rows];
  return sortRows([...rows.filter((r) => r.id !== row.id), row]);
}

/** The list after a review verdict arrives (SSE): the row's state changes, its place does not. */
export function applyReview(
  rows: readonly WorklistRow[],
  review: { id: string; state: ReviewState; reviewedBy?: string },
): WorklistRow[] {
  return rows.map((r) =>
    r.id === review.id
      ? { ...r, state: review.state, ...(review.reviewedBy ? { reviewedBy: review.reviewedBy } : {}) }
      : r,
  );
}

function procedureText(report: ReportEnrichedPayload['report']): string {
  const { text, code } = report.procedure;
  return text?.trim() || code || 'unknown procedure';
}

/** The drafting model as the page shows it: name, version and, when the enricher routed it, the route. */
export function modelOf(model: ReportEnrichedPayload['enrichment']['model']): WorklistRow['model'] {
  return { name: model.name, version: model.version, ...(model.route ? { route: model.route } : {}) };
}

/** The words a radiologist reads for a route: whose model drafted this report. */
export function routeText(route: ModelRouteKind): string {
  if (route === 'radiologist') return "the signing radiologist's own model";
  if (route === 'canary') return 'a candidate on trial (canary)';
  return 'the serving model';
}

/** A worklist row from an enriched report and what the server knows beside it (opaque id, review state). */
export function worklistRow(
  enriched: ReportEnrichedPayload,
  extra: { id: string; enrichedAt?: string; state?: ReviewState; reviewedBy?: string },
): WorklistRow {
  const { report, enrichment } = enriched;
  return {
    id: extra.id,
    accession: report.accession,
    procedure: procedureText(report),
    modality: modalityOf(report.procedure),
    ...(report.reportedAt ? { reportedAt: report.reportedAt } : {}),
    enrichedAt: extra.enrichedAt ?? enrichment.generatedAt,
    priority: enrichment.priority.level,
    reasons: enrichment.priority.reasons,
    model: modelOf(enrichment.model),
    degraded: enrichment.degraded,
    disagreements: [...new Set((enrichment.disagreements ?? []).map((d) => d.label))],
    state: extra.state ?? 'new',
    ...(extra.reviewedBy ? { reviewedBy: extra.reviewedBy } : {}),
  };
}

export type LabelState = Label['state'];

/** One label as the report view shows it: the merged call, and what each source said. */
export interface LabelLine {
  label: string;
  state: LabelState;
  /** Which source the shown call came from. */
  source: Label['source'];
  /** The model's call; undefined when the model did not run (degraded). */
  model?: LabelState;
  rules: LabelState;
  disagree: boolean;
}

/**
 * The merged labels of one kind with each source's call: the enrichment lists what either source raised and,
 * separately, where they disagreed; where no disagreement is recorded both sources said the same.
 */
export function labelLines(
  labels: readonly Label[],
  disagreements: ReportEnrichedPayload['enrichment']['disagreements'] = [],
  degraded = false,
): LabelLine[] {
  const byLabel = new Map((disagreements ?? []).map((d) => [d.label, d]));
  const lines: LabelLine[] = [];
  for (const label of labels) {
    const d = byLabel.get(label.label);
    lines.push({
      label: label.label,
      state: label.state,
      source: label.source,
      ...(degraded ? {} : { model: d ? d.model : label.state }),
      rules: d ? d.rules : label.state,
      disagree: d !== undefined,
    });
  }
  return lines;
}
