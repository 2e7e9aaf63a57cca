export {
  ModelHandle,
  defaultRuntimeOptions,
  type GenerateOptions,
  type GenerationOutput,
  type ModelInfo,
  type ModelRuntimeOptions,
  type TaskOutput,
} from './model-handle.ts';
export { ModelHost } from './model-host.ts';
export { WorkerModel } from './worker-model.ts';
export type { ServingModel } from './serving-model.ts';
export {
  BatchScheduler,
  type SchedulerCounts,
  type SchedulerOptions,
  type SequenceResult,
  type SubmitRequest,
} from './batch-scheduler.ts';
export { admissionOrder, DEFAULT_PRIORITY_AGING_MS, type RequestPriority } from './admission-order.ts';
export { ActiveBatch, Sequence, greedy, type StopReason } from './active-batch.ts';
export { DecoderRunner, type LastLogits, type StepResult } from './decoder-runner.ts';
export {
  createDecoderSession,
  readSignature,
  type DecoderSignature,
  type SessionOptions,
} from './decoder-session.ts';
export { readDecoderConfig, type DecoderConfig } from './decoder-config.ts';
export { readManifest, MANIFEST_FILE, type ModelManifest } from './manifest.ts';
export { readManifestAdapters, type ManifestAdapters } from './manifest-adapters.ts';
export { TextTokenizer } from './text-tokenizer.ts';
export { LabelGrammar, type TokenConstraint } from './label-constraint.ts';
export { concatBatches, selectRows, type KvBatch } from './kv-batch.ts';
export {
  DeadlineExceededError,
  GenerationFailedError,
  InputTooLongError,
  ModelLoadError,
  ModelRuntimeError,
  ModelUnavailableError,
  OverloadedError,
  RequestCancelledError,
} from './errors.ts';
export { silentLogger, type RuntimeLogger } from './logger.ts';
