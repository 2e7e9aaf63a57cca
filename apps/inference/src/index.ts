import 'reflect-metadata';
export { InferenceModule } from './inference.module.ts';
export { inferenceApp, InferenceHostModule } from './inference.app.ts';
export { ModelRegistrySync, type SyncOutcome } from './model-registry-sync.ts';
export {
  InferenceService,
  ModelDirNotAllowedError,
  type EnrichInput,
  type EnrichResponse,
  type TaskResponse,
} from './inference.service.ts';
export { INFERENCE_OPTIONS, inferenceOptionsFromConfig, type InferenceOptions } from './inference.options.ts';
export { inferenceProblem, InferenceProblems } from './inference-problems.ts';
