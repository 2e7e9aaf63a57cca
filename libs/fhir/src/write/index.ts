export { buildWritebackBundle, type WritebackBundleOptions } from './writeback-bundle.ts';
export {
  worklistTask,
  worklistTaskBundle,
  worklistTaskKey,
  worklistTaskSearch,
  planWorklistTaskSupersession,
  type WorklistTaskOptions,
} from './worklist-task.ts';
export {
  planSupersession,
  supersessionSearch,
  retiredResource,
  NOTHING_TO_SUPERSEDE,
  type SupersessionPlan,
} from './supersession.ts';
export {
  writebackKey,
  modelIdentity,
  parseWritebackKey,
  escapeKeyPart,
  tokenQuery,
  type WritebackKeyParts,
} from './writeback-key.ts';
export {
  summarizeTransactionResponse,
  addSummaries,
  type TransactionSummary,
} from './transaction-response.ts';
export {
  planTransactionSteps,
  resolveStepReferences,
  resolvedIdentities,
  referenceFromLocation,
  writtenAiResources,
  retirementBundle,
  MEDPLUM_TRANSACTION_LIMITS,
  type TransactionLimits,
} from './transaction-steps.ts';
export {
  identifierSystemUri,
  DEFAULT_IDENTIFIER_SYSTEM_BASE,
  DEFAULT_IDENTIFIER_SYSTEMS,
  type IdentifierSystemSettings,
} from './identifier-systems.ts';
export {
  referenceLookups,
  lookupBatch,
  lookupMatches,
  targetsFrom,
  referenceLookupBundle,
  referenceTargetsFrom,
  type ReferenceLookup,
  type ReferenceTargets,
} from './reference-targets.ts';
export { patientIdentifier, subjectOf, sourceReportReference } from './references.ts';
export { narrativeOf, withNarrative, xhtmlText } from './narrative.ts';
export { standardLabelCodes, labelCodings } from './label-codes.ts';
export {
  AI_ASSERTED,
  AI_GENERATED_TAG,
  DEGRADED_TAG,
  SUPERSEDED_TAG,
  RULE_BASED_TAG,
  RADFLOW_TAG_SYSTEM,
  WRITEBACK_KEY_TAG_SYSTEM,
  ACCESSION_TAG_SYSTEM,
  IdentifierSystems,
  Extensions,
  LabelKindSystems,
  RADFLOW_CODE_SYSTEMS,
} from './vocabulary.ts';
export { ReferenceResolver, FOUND_TTL_MS, type ReferenceFinder } from './reference-resolver.ts';
export {
  writeBackEnrichment,
  sendInSteps,
  type WritebackOutcome,
  type WritebackPlanOptions,
} from './writeback-plan.ts';
export { writeWorklistTask } from './worklist-task-plan.ts';
