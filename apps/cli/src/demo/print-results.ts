import { draftCheckText } from '@radflow/reports';
import type { ReportEnrichedPayload } from '@radflow/schemas';

/** What the demo shows a person: one block per enriched report, one line per skipped or rejected message. */
export function formatEnrichedReport(name: string, payload: ReportEnrichedPayload): string {
  const { report, enrichment } = payload;
  const present = (labels: ReportEnrichedPayload['enrichment']['abnormalities']) =>
    labels
      .filter((l) => l.state !== 'absent')
      .map((l) => `${l.label}${l.state === 'uncertain' ? '?' : ''} [${l.source}]`)
      .join(', ') || 'none';
  const lines = [
    `● ${name}  accession ${report.accession}  (${report.procedure.text ?? report.procedure.code ?? 'procedure ?'}, ${report.status})`,
    `  priority     ${enrichment.priority.level.toUpperCase()}${enrichment.priority.reasons.length ? ` — ${enrichment.priority.reasons.join('; ')}` : ''}`,
    `  model        ${enrichment.model.name} ${enrichment.model.version}${enrichment.degraded ? `  DEGRADED (${enrichment.degradedReason ?? 'rules only'})` : ''}`,
    `  impression   ${enrichment.draftImpression ?? (enrichment.draftImpressionEdits?.length ? '(withheld by the rule check)' : '(no draft)')}   [preliminary, AI-generated]`,
    ...(enrichment.draftImpressionEdits?.length
      ? [
          `  checked      ${enrichment.draftImpressionEdits.map(draftCheckText).join('; ')}   [by ${enrichment.rulesVersion ?? 'the rules'}]`,
        ]
      : []),
    `  abnormal     ${present(enrichment.abnormalities)}`,
    `  devices      ${present(enrichment.devices)}`,
  ];
  if (enrichment.temporal) {
    const t = enrichment.temporal;
    lines.push(
      `  vs prior     ${t.priorAccession ?? '?'}: added ${t.added.join(', ') || 'none'}; removed ${t.removed.join(', ') || 'none'}` +
        (t.labelDiff?.length
          ? `; labels ${t.labelDiff.map((d) => `${d.label} ${d.before}→${d.after}`).join(', ')}`
          : ''),
    );
  }
  if (enrichment.disagreements?.length) {
    lines.push(
      `  model≠rules  ${enrichment.disagreements.map((d) => `${d.label} (model ${d.model}, rules ${d.rules})`).join(', ')}`,
    );
  }
  return lines.join('\n');
}
