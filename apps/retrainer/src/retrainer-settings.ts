import { resolve } from 'node:path';
import { dataPath, envReader, repoRoot, type Env, type RadflowConfig } from '@radflow/config';
import {
  DEFAULT_GATE_POLICY,
  DEFAULT_RETRAINING_POLICY,
  DEFAULT_SPLIT,
  type GatePolicy,
  type RetrainingPolicy,
  type SplitOptions,
} from '@radflow/feedback';

/** Everything the retrainer reads: config.retrainer plus RETRAIN_* variables, with the embedded defaults. */
export interface RetrainerSettings {
  /** Registry name of the model being retrained; the serving model's manifest name when unset. */
  modelName: string | undefined;
  /** The model the registry starts from when it is empty (the serving model, MODEL_DIR). */
  baseModelDir: string;
  workDir: string;
  /** Artifact store: one folder per version (an object store in production). */
  registryDir: string;
  /** Retrain on its own when the policy says so; off, only `radflow retrain` or runRetraining starts runs. */
  autoRetrain: boolean;
  policy: RetrainingPolicy;
  /** Feedback on drafts that name no model is trained on too. */
  includeUnattributed: boolean;
  split: SplitOptions;
  trainer: {
    python: string;
    script: string;
    steps: number;
    learningRate: number;
    /** At most this many passes over the feedback: more memorises a small batch and forgets the rest. */
    maxEpochs: number;
    batchTokens: number;
    seed: number;
    timeoutMs: number;
  };
  evaluation: {
    /** Open-i reports and NegBio labels (data/openi by default). */
    openiDir: string;
    fixedSetSize: number;
    /** Cap on held-out feedback examples scored per task. */
    feedbackSetSize: number;
    maxNewTokens: number;
    threads: number;
  };
  gate: GatePolicy;
}

export function retrainerSettings(config: RadflowConfig, env: Env = process.env): RetrainerSettings {
  const read = envReader(env);
  const workDir = resolve(config.retrainer.workDir);
  return {
    modelName: read.optionalString('RETRAIN_MODEL_NAME'),
    baseModelDir: resolve(read.string('RETRAIN_BASE_MODEL_DIR', config.inference.modelDir)),
    workDir,
    registryDir: resolve(read.string('RETRAIN_REGISTRY_DIR', `${workDir}/registry`)),
    autoRetrain: read.bool('RETRAIN_AUTO', true),
    policy: {
      minNewExamples: config.retrainer.minNewExamples,
      scheduleEveryMs: read.int('RETRAIN_SCHEDULE_MINUTES', 0, { min: 0 }) * 60_000,
      minNewExamplesForSchedule: read.int(
        'RETRAIN_SCHEDULE_MIN_NEW_EXAMPLES',
        DEFAULT_RETRAINING_POLICY.minNewExamplesForSchedule,
        { min: 1 },
      ),
      minIntervalMs:
        read.int('RETRAIN_MIN_INTERVAL_S', DEFAULT_RETRAINING_POLICY.minIntervalMs / 1000, { min: 0 }) * 1000,
    },
    includeUnattributed: read.bool('RETRAIN_INCLUDE_UNATTRIBUTED', true),
    split: {
      evalPercent: read.int('RETRAIN_EVAL_PERCENT', DEFAULT_SPLIT.evalPercent, { min: 0, max: 100 }),
      salt: read.string('RETRAIN_SPLIT_SALT', DEFAULT_SPLIT.salt),
    },
    trainer: {
      python: read.string('RETRAIN_PYTHON', '/usr/bin/python3'),
      script: resolve(read.string('RETRAIN_TRAINER_SCRIPT', `${repoRoot}apps/retrainer/trainer/finetune.py`)),
      steps: read.int('RETRAIN_STEPS', 40, { min: 1 }),
      // About where the base model's own schedule ended: much higher rates make it forget what it knew.
      learningRate: read.number('RETRAIN_LR', 5e-5, { min: Number.MIN_VALUE, max: 1 }),
      maxEpochs: read.number('RETRAIN_MAX_EPOCHS', 2, { min: Number.MIN_VALUE }),
      batchTokens: read.int('RETRAIN_BATCH_TOKENS', 4096, { min: 256 }),
      seed: read.int('RETRAIN_SEED', 1234),
      timeoutMs: read.int('RETRAIN_TIMEOUT_S', 1800, { min: 10 }) * 1000,
    },
    evaluation: {
      openiDir: resolve(read.string('RETRAIN_OPENI_DIR', dataPath('openi', env))),
      fixedSetSize: read.int('RETRAIN_EVAL_FIXED_SIZE', 100, { min: 1 }),
      feedbackSetSize: read.int('RETRAIN_EVAL_FEEDBACK_SIZE', 200, { min: 1 }),
      maxNewTokens: read.int('RETRAIN_EVAL_MAX_NEW_TOKENS', 64, { min: 1 }),
      threads: read.int('RETRAIN_EVAL_THREADS', 1, { min: 1, max: 64 }),
    },
    gate: {
      ...DEFAULT_GATE_POLICY,
      tolerance: read.number('RETRAIN_GATE_TOLERANCE', DEFAULT_GATE_POLICY.tolerance, { min: 0, max: 1 }),
      resamples: read.int('RETRAIN_GATE_RESAMPLES', DEFAULT_GATE_POLICY.resamples, { min: 10 }),
      minExamples: read.int('RETRAIN_GATE_MIN_EXAMPLES', DEFAULT_GATE_POLICY.minExamples, { min: 1 }),
    },
  };
}
