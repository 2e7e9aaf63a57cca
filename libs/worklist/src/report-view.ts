import type { ReportEnrichedPayload } from '@radflow/schemas';
import { labelLines, modelOf, type LabelLine, type WorklistRow } from './rows.ts';
import { textsDiffer, wordDiff, type DiffPart } from './word-diff.ts';

type Enrichment = ReportEnrichedPayload['enrichment'];

/** Everything the report view shows, as the API sends it. AI outputs sit under `ai`, always marked a draft. */
export interface ReportView {
  row: WorklistRow;
  report: {
    procedure: string;
    status: string;
    reportVersion: string;
    observedAt?: string;
    reportedAt?: string;
    indication?: string;
    comparison?: string;
    findings?: string;
    impression?: string;
  };
  ai: {
    /** Always true: the page labels every part of `ai` as an AI-generated draft. */
    aiGenerated: true;
    status: Enrichment['status'];
    model: WorklistRow['model'];
    rulesVersion?: string;
    degraded: boolean;
    degradedReason?: string;
    generatedAt: string;
    draftImpression?: string;
    /** What the rules changed in the model's draft against the findings (fixed phrases and label ids). */
    draftImpressionEdits?: NonNullable<Enrichment['draftImpressionEdits']>;
    /** The word-level diff from the draft impression to the signed one, when both exist and differ. */
    impressionDiff?: DiffPart[];
    abnormalities: LabelLine[];
    devices: LabelLine[];
    temporal?: Enrichment['temporal'];
    priority: Enrichment['priority'];
  };
}

export function reportView(enriched: ReportEnrichedPayload, row: WorklistRow): ReportView {
  const { report, enrichment } = enriched;
  const s = report.sections;
  const draft = enrichment.draftImpression?.trim();
  const signed = s.impression?.trim();
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined || value === '' ? {} : { [key]: value }) as Partial<Record<K, V>>;
  return {
    row,
    report: {
      procedure: row.procedure,
      status: report.status,
      reportVersion: report.reportVersion,
      ...optional('observedAt', report.observedAt),
      ...optional('reportedAt', report.reportedAt),
      ...optional('indication', s.indication),
      ...optional('comparison', s.comparison),
      ...optional('findings', s.findings),
      ...optional('impression', s.impression),
    },
    ai: {
      aiGenerated: true,
      status: enrichment.status,
      model: modelOf(enrichment.model),
      ...optional('rulesVersion', enrichment.rulesVersion),
      degraded: enrichment.degraded,
      ...optional('degradedReason', enrichment.degradedReason),
      generatedAt: enrichment.generatedAt,
      ...optional('draftImpression', enrichment.draftImpression),
      ...(enrichment.draftImpressionEdits?.length
        ? { draftImpressionEdits: enrichment.draftImpressionEdits }
        : {}),
      ...(draft && signed && textsDiffer(draft, signed) ? { impressionDiff: wordDiff(draft, signed) } : {}),
      abnormalities: labelLines(enrichment.abnormalities, enrichment.disagreements, enrichment.degraded),
      devices: labelLines(enrichment.devices, enrichment.disagreements, enrichment.degraded),
      ...optional('temporal', enrichment.temporal),
      priority: enrichment.priority,
    },
  };
}
