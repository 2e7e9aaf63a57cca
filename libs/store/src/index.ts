export { openDatabase, isTransientDatabaseError, type Database } from './database.ts';
export { migrate } from './migrations.ts';
export {
  IdempotencyLedger,
  ClaimHeldError,
  LedgerUnavailableError,
  DEFAULT_CLAIM_LEASE_MS,
  type ClaimSettlement,
  type CommitHook,
  type IdempotencyLedgerOptions,
  type LedgerClaim,
} from './idempotency-ledger.ts';
export { ReportStore, type StoredReport } from './report-store.ts';
export { EnrichmentStore } from './enrichment-store.ts';
export {
  FeedbackStore,
  TRAINABLE_FEEDBACK_OUTPUTS,
  type FeedbackRow,
  type StoredFeedbackRow,
  type FeedbackScope,
  type RadiologistFeedbackCount,
} from './feedback-store.ts';
export { ModelRegistryError } from './model-registry-error.ts';
export {
  ModelVersions,
  type ModelVersionRecord,
  type ModelVersionStatus,
  type NewModelVersion,
} from './model-versions.ts';
export { servingStack, rollbackTarget, type DeploymentAction } from './serving-stack.ts';
export { ModelDeployments, type DeploymentRecord } from './model-deployments.ts';
export { ModelRouting, type ModelRoutingRecord } from './model-routing.ts';
export { GateDecisions, type GateDecisionRecord, type StoredGateDecision } from './gate-decisions.ts';
export {
  TrainingRuns,
  type NewTrainingRun,
  type TrainingRunRecord,
  type TrainingRunStatus,
  type TrainingRunUpdate,
} from './training-runs.ts';
export {
  ShadowScores,
  type DraftScores,
  type ShadowScoreRecord,
  type StoredShadowScore,
} from './shadow-scores.ts';
export { ModelCanaries, type CanaryEnding, type CanaryRecord, type NewCanary } from './model-canaries.ts';
export {
  CanaryScores,
  type CanaryArm,
  type CanaryScoreRecord,
  type StoredCanaryScore,
} from './canary-scores.ts';
export { WorklistQueries, type WorklistEnrichment, type WorklistVerdict } from './worklist-queries.ts';
