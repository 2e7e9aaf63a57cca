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
} from './feedback-store.ts';
export {
  ModelRegistry,
  ModelRegistryError,
  servingStack,
  type ModelVersionRecord,
  type ModelVersionStatus,
  type NewModelVersion,
  type DeploymentRecord,
  type DeploymentAction,
  type GateDecisionRecord,
  type TrainingRunRecord,
  type TrainingRunStatus,
} from './model-registry.ts';
export { WorklistQueries, type WorklistEnrichment, type WorklistVerdict } from './worklist-queries.ts';
