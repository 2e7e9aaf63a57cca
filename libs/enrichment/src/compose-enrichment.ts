import type { RadiologyReport } from '@radflow/schemas';
import { diffRuleLabels } from './label-diff.ts';
import { mergeLabelCalls, type LabelSource } from './merge-labels.ts';
import type {
  CheckedDraft,
  EnrichedLabel,
  Enrichment,
  ModelDraft,
  ModelUnavailable,
  RuleReading,
  WorklistPriority,
} from './types.ts';

export interface EnrichmentInputs {
  report: RadiologyReport;
  rules: RuleReading;
  rulesLabeler: { name: string; version: string };
  model: ModelDraft | ModelUnavailable;
  /** Whose labels are emitted (default `rules`, see mergeLabelCalls). */
  labelSource?: LabelSource;
  prior?: { report: RadiologyReport; rules: RuleReading };
  /** Decides the worklist priority from the merged labels; policy lives with the rule labeler. */
  assessPriority: (
    abnormalities: EnrichedLabel[],
    devices: EnrichedLabel[],
    report: RadiologyReport,
  ) => WorklistPriority;
  /** Checks the model's draft impression against the findings (ENRICHMENT_DRAFT_CHECK); absent: emitted as written. */
  checkDraft?: (draft: string, report: RadiologyReport) => CheckedDraft;
  now?: Date;
}

/**
 * The enrichment of one report: the model's drafts when it answered, the rule labeler's calls always, the
 * difference from the prior report, and the worklist priority. Without the model it is rules-only, degraded.
 */
export function composeEnrichment(inputs: EnrichmentInputs): Enrichment {
  const draft = 'failure' in inputs.model ? undefined : inputs.model;
  const abnormalities = mergeLabelCalls(draft?.abnormalities, inputs.rules.abnormalities, inputs.labelSource);
  const devices = mergeLabelCalls(draft?.devices, inputs.rules.devices, inputs.labelSource);
  const enrichment: Enrichment = {
    status: 'preliminary',
    aiGenerated: true,
    model: draft ? draft.model : inputs.rulesLabeler,
    rulesVersion: `${inputs.rulesLabeler.name}@${inputs.rulesLabeler.version}`,
    degraded: !draft,
    abnormalities: abnormalities.labels,
    devices: devices.labels,
    priority: inputs.assessPriority(abnormalities.labels, devices.labels, inputs.report),
    disagreements: [...abnormalities.disagreements, ...devices.disagreements],
    generatedAt: (inputs.now ?? new Date()).toISOString(),
  };
  if ('failure' in inputs.model) enrichment.degradedReason = inputs.model.failure;
  if (draft?.draftImpression) {
    const checked = inputs.checkDraft?.(draft.draftImpression, inputs.report);
    const impression = checked ? checked.impression : draft.draftImpression;
    if (impression.trim()) enrichment.draftImpression = impression;
    if (checked && checked.edits.length > 0) enrichment.draftImpressionEdits = checked.edits;
  }
  if (inputs.prior) {
    const labelDiff = diffRuleLabels(
      [...inputs.prior.rules.abnormalities, ...inputs.prior.rules.devices],
      [...inputs.rules.abnormalities, ...inputs.rules.devices],
    );
    const fromRules = {
      added: labelDiff.filter((c) => c.before === 'absent').map((c) => c.label),
      removed: labelDiff.filter((c) => c.after === 'absent').map((c) => c.label),
      changed: [],
    };
    const temporal = draft?.temporal ?? fromRules;
    enrichment.temporal = {
      priorAccession: inputs.prior.report.accession,
      ...(inputs.prior.report.reportedAt ? { priorReportedAt: inputs.prior.report.reportedAt } : {}),
      added: temporal.added,
      removed: temporal.removed,
      changed: temporal.changed,
      labelDiff,
    };
  }
  return enrichment;
}
