import { checkDraftImpression, type DraftImpressionEdit } from '@radflow/labels';

/** One report's findings and an impression to check against them (a model's draft, or what was signed). */
export interface DraftCheckRow {
  uid: string;
  findings: string;
  impression: string;
}

export interface DraftCheckSummary {
  /** Rows with both findings and an impression. */
  checked: number;
  /** Rows the check would change. */
  changed: number;
  /** How often each edit was made: `critical-finding-added: <reason>` or `unsupported-finding-removed: <label>`. */
  edits: Record<string, number>;
  /** The changed rows: public, de-identified data only (Open-i); never run this on a hospital's PHI with output kept. */
  rows: { uid: string; impression: string; checked: string; edits: DraftImpressionEdit[] }[];
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

function editName(edit: DraftImpressionEdit): string {
  return edit.kind === 'critical-finding-added'
    ? `${edit.kind}: ${edit.reason}`
    : `${edit.kind}: ${edit.label}`;
}

/**
 * `radflow draft-check`: what the enricher's draft check (ENRICHMENT_DRAFT_CHECK) would change in the signed
 * impressions of a report set, as if each were a model's draft. Radiologists' own impressions should pass nearly
 * untouched, so every change counted here is a false alarm of the check, or a signed impression that left a stat
 * finding of its findings out.
 */
export function checkSignedImpressions(rows: readonly DraftCheckRow[]): DraftCheckSummary {
  const summary: DraftCheckSummary = { checked: 0, changed: 0, edits: {}, rows: [] };
  for (const row of rows) {
    const findings = collapse(row.findings);
    const impression = collapse(row.impression);
    if (!findings || !impression) continue;
    summary.checked += 1;
    const result = checkDraftImpression(findings, impression);
    if (result.edits.length === 0) continue;
    summary.changed += 1;
    for (const edit of result.edits) summary.edits[editName(edit)] = (summary.edits[editName(edit)] ?? 0) + 1;
    summary.rows.push({ uid: row.uid, impression, checked: result.impression, edits: result.edits });
  }
  return summary;
}
