import { mergeLabelCalls, type LabelSource, type RuleLabelCall } from '@radflow/enrichment';
import { labelReport, type LabelState } from '@radflow/labels';

/** The rule labeler's abnormality calls for a report, as the enricher receives them. */
export function ruleAbnormalityCalls(row: { findings: string; impression: string }): RuleLabelCall[] {
  return labelReport({ findings: row.findings, impression: row.impression }).abnormalities.map((a) => ({
    label: a.label,
    state: a.state,
    mentioned: a.sentenceIndex !== null,
  }));
}

/** The rule labeler's device states for a report (the device task's reference). */
export function ruleDeviceStates(row: { findings: string; impression: string }): Record<string, LabelState> {
  return Object.fromEntries(
    labelReport({ findings: row.findings, impression: row.impression }).devices.map((d) => [
      d.label,
      d.state,
    ]),
  );
}

/** Rule calls as label states. */
export function ruleCallStates(calls: readonly RuleLabelCall[]): Record<string, LabelState> {
  return Object.fromEntries(calls.map((call) => [call.label, call.state]));
}

/** What the enricher emits for a report (libs/enrichment mergeLabelCalls with ENRICHMENT_LABELS = `source`). */
export function enricherLabelStates(
  modelPresent: readonly string[],
  ruleCalls: RuleLabelCall[],
  source: LabelSource,
): Record<string, LabelState> {
  const merged = mergeLabelCalls([...modelPresent], ruleCalls, source).labels;
  return Object.fromEntries(merged.map((l) => [l.label, l.state]));
}
