export { enricherApp, EnricherModule } from './enricher.module.ts';
export { HttpTaskRunner } from './model-clients.ts';
export { FhirPriorLookup, latestEarlierChestXray } from './fhir-prior-lookup.ts';
export { triageApp, TriageModule } from './triage/triage.module.ts';
export { TriageService, TRIAGE_CONSUMER } from './triage/triage.service.ts';
