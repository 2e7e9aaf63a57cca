import 'reflect-metadata';
export { retrainerApp, RetrainerModule } from './retrainer.module.ts';
export { RetrainingService } from './retraining.service.ts';
export { FeedbackIntakeService } from './feedback-intake.service.ts';
export {
  RetrainingPipeline,
  RunInProgressError,
  type RunOptions,
  type RunOutcome,
} from './retraining-pipeline.ts';
export { retrainerSettings, type RetrainerSettings } from './retrainer-settings.ts';
export { feedbackPayloadFrom, InvalidFeedbackError } from './feedback-request.ts';
export { ArtifactStore, ArtifactNameError, readModelManifest } from './artifact-store.ts';
export {
  runTrainer,
  TrainerFailedError,
  type TrainerJob,
  type TrainerProgress,
  type TrainerResult,
  type EpochChoice,
} from './trainer-process.ts';
export { renderDecisionReport } from './decision-report.ts';
export { runRollback, type RollbackOptions, type RollbackResult } from './commands/rollback.ts';
export { runRetraining, type RetrainOptions } from './commands/retrain.ts';
export { retrainerShadowApp, ShadowModule } from './shadow/shadow.module.ts';
export { ShadowEvaluation, type ShadowStep } from './shadow/shadow-evaluation.ts';
export { ShadowDrafter } from './shadow/shadow-drafter.ts';
export {
  runModelStatus,
  runModelShadow,
  runModelCanary,
  modelStatus,
  shadowStatus,
  canaryStatus,
  type CanaryStatus,
  type ModelStatus,
  type ModelStatusOptions,
  type ShadowStatus,
} from './commands/model-status.ts';
export {
  promoteVersion,
  promotionReadiness,
  rollbackModel,
  runModelPromote,
  runModelRollback,
  type ModelRollbackResult,
  type PromoteRequest,
  type PromoteResult,
  type RollbackRequest,
} from './commands/model-operations.ts';
export { retrainerCanaryApp, CanaryModule } from './shadow/canary.module.ts';
export { CanaryEvaluation, canaryArmOf, type CanaryStep } from './shadow/canary-evaluation.ts';
export { canaryParts, type CanaryParts } from './shadow/canary-parts.ts';
