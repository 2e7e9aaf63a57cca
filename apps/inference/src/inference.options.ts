import { resolve } from 'node:path';
import type { RadflowConfig } from '@radflow/config';
import type { RuntimeLogger } from '@radflow/model-runtime';

export const INFERENCE_OPTIONS = Symbol('radflow.inference.options');

/** The model directory of a registered {name, version}, or undefined when the registry does not hold it. */
export type ModelLocator = (name: string, version: string) => Promise<string | undefined>;

export interface InferenceOptions {
  modelDir: string;
  maxBatch: number;
  queueLimit: number;
  threads: number;
  providers: string[];
  /** How long an idle model waits for a batch to fill. */
  maxWaitMs: number;
  /** Deadline when a request names none (header X-Deadline-Ms or body deadlineMs). */
  defaultDeadlineMs: number;
  /** Directories /admin/reload may load from (the model dir's parent is always allowed). */
  allowedModelRoots: string[];
  /**
   * Run the model on its own worker thread (default): ONNX Runtime's Node binding blocks the thread it runs on, and
   * the host's HTTP server and Kafka heartbeats must not wait for a long prefill.
   */
  isolation?: 'worker' | 'inline';
  /** Serve the manifest's quantized ONNX file (e.g. model.int8.onnx) when it names one. */
  quantized?: boolean;
  /**
   * Model sessions held at once, the serving one included (INFERENCE_MAX_LOADED_MODELS, default 3): the serving
   * model is pinned; versions a request names (a canary, a radiologist's model) share the rest, least recently used
   * evicted first.
   */
  maxLoadedModels?: number;
  /**
   * Where a registered version's model directory is (the registry in PostgreSQL, where the host has a database);
   * without it a request can name the serving model only.
   */
  locateModel?: ModelLocator;
  logger?: RuntimeLogger;
}

/** The inference settings from radflow's configuration (MODEL_DIR, INFERENCE_MAX_BATCH, INFERENCE_QUEUE_LIMIT, ...). */
export function inferenceOptionsFromConfig(
  config: RadflowConfig,
  overrides: Partial<InferenceOptions> = {},
): InferenceOptions {
  const modelDir = resolve(config.inference.modelDir);
  return {
    modelDir,
    maxBatch: config.inference.maxBatch,
    queueLimit: config.inference.queueLimit,
    threads: config.inference.threads,
    providers: config.inference.providers,
    maxWaitMs: 5,
    defaultDeadlineMs: config.inference.deadlineMs,
    // The shipped models and the retrainer's registry, where promoted candidates live.
    allowedModelRoots: [resolve(modelDir, '..'), resolve(config.retrainer.workDir)],
    quantized: config.inference.quantized,
    maxLoadedModels: config.inference.maxLoadedModels,
    ...overrides,
  };
}
