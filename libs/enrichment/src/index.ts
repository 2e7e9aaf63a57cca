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
export { ReportEnricher, type ReportEnricherOptions } from './report-enricher.ts';
export { RulesFromLabelsLib } from './rules-from-labels-lib.ts';
export { TaskRunnerModelClient } from './task-runner-model-client.ts';
export type { ModelClient } from './model-client.ts';
export type { RuleLabeler } from './rule-labeler.ts';
export { STAT_LANE_LEVELS, statTriages, triageReport } from './triage-report.ts';
export {
  canaryPosition,
  routeModel,
  type ModelRoute,
  type ModelRouteKind,
  type CanaryShare,
  type ModelRoutingTable,
  type RoutedReport,
} from './model-route.ts';
export {
  MODEL_NOT_FOUND,
  RoutedModelClient,
  type ReportRouter,
  type RoutedModelClientOptions,
} from './routed-model-client.ts';
