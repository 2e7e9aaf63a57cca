export { enricherApp, EnricherModule } from './enricher.module.ts';
export { ReportEnricher } from './report-enricher.ts';
export { RulesFromLabelsLib } from './rules-from-labels-lib.ts';
export { TaskRunnerModelClient, HttpTaskRunner } from './model-clients.ts';
export type { ModelClient } from './model-client.ts';
export type { RuleLabeler } from './rule-labeler.ts';
export { FhirPriorLookup, latestEarlierChestXray } from './fhir-prior-lookup.ts';
export { triageApp, TriageModule } from './triage/triage.module.ts';
export { TriageService, TRIAGE_CONSUMER } from './triage/triage.service.ts';
