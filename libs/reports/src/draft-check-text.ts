import type { ReportEnrichedPayload } from '@radflow/schemas';

export type DraftImpressionEdit = NonNullable<
  ReportEnrichedPayload['enrichment']['draftImpressionEdits']
>[number];

/**
 * One change the rule check made to a model's draft impression, in words, the same wherever the draft goes (the AI
 * ORU's note, the FHIR extension and narrative, the demo print). A fixed phrase or a label id: never report text.
 */
export function draftCheckText(edit: DraftImpressionEdit): string {
  return edit.kind === 'critical-finding-added'
    ? `added from the findings: ${edit.reason ?? 'critical finding'}`
    : `removed, not supported by the findings: ${edit.label ?? 'finding'}`;
}
