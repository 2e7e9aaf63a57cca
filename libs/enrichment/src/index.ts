export { composeEnrichment, type EnrichmentInputs } from './compose-enrichment.ts';
export { mergeLabelCalls, type LabelSource, type MergedLabels } from './merge-labels.ts';
export { diffRuleLabels, type LabelChange } from './label-diff.ts';
export type {
  Enrichment,
  EnrichedLabel,
  ModelDraft,
  ModelUnavailable,
  RuleLabelCall,
  RuleReading,
  WorklistPriority,
} from './types.ts';
export { draftWithModel, type TaskRunner, type TaskAnswer, type TaskOptions } from './draft-with-model.ts';
