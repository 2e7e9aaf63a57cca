import { join } from 'node:path';
import { dataPath } from './data-dir.ts';
import { envReader, type Env } from './env-reader.ts';
import { repoRoot } from './repo-root.ts';

/**
 * What the retrainer reads (RETRAINER_HTTP_PORT and RETRAIN_*), in the variables' own units. apps/retrainer turns
 * it into its run settings (absolute paths, milliseconds, @radflow/feedback's policy types). The policy, split, gate
 * and shadow defaults are @radflow/feedback's DEFAULT_RETRAINING_POLICY, DEFAULT_SPLIT, DEFAULT_GATE_POLICY and
 * DEFAULT_SHADOW_POLICY values; apps/retrainer's retrainer-settings.test.ts holds them equal.
 */
export interface RetrainerConfig {
  httpPort: number;
  /** RETRAIN_MIN_NEW_EXAMPLES: retrain after this many new trainable feedback records. */
  minNewExamples: number;
  /**
   * RETRAIN_RADIOLOGIST_MIN_FEEDBACK: a radiologist with this many new trainable feedback records on reports they
   * signed gets a run of their own model (`<shared>~r-<key>`); 0: no per-radiologist models, everyone gets the shared one.
   */
  radiologistMinFeedback: number;
  /** RETRAIN_WORK_DIR: runs (data sets) and, unless RETRAIN_REGISTRY_DIR, the artifact store. */
  workDir: string;
  /** RETRAIN_MODEL_NAME: registry name of the model being retrained; unset: the serving model's manifest name. */
  modelName: string | undefined;
  /** RETRAIN_BASE_MODEL_DIR: what the registry starts from when it is empty (the serving model, MODEL_DIR). */
  baseModelDir: string;
  /** RETRAIN_REGISTRY_DIR: the artifact store, one folder per version (an object store in production). */
  registryDir: string;
  /** RETRAIN_AUTO: the policy starts runs; off, only `radflow retrain` or runRetraining does. */
  autoRetrain: boolean;
  /** RETRAIN_SCHEDULE_MINUTES: also retrain this often when there is new feedback; 0: off. */
  scheduleMinutes: number;
  /** RETRAIN_SCHEDULE_MIN_NEW_EXAMPLES: the new feedback a scheduled run needs. */
  scheduleMinNewExamples: number;
  /** RETRAIN_MIN_INTERVAL_S: never start runs closer than this. */
  minIntervalSeconds: number;
  /** RETRAIN_INCLUDE_UNATTRIBUTED: feedback on drafts that name no model is trained on too. */
  includeUnattributed: boolean;
  /** RETRAIN_EVAL_PERCENT, RETRAIN_SPLIT_SALT: the share of accessions held out, and the salt of their hash. */
  split: { evalPercent: number; salt: string };
  /** The trainer process: RETRAIN_PYTHON, _TRAINER_SCRIPT, _STEPS, _LR, _MAX_EPOCHS, _BATCH_TOKENS, _SEED, _TIMEOUT_S. */
  trainer: {
    python: string;
    script: string;
    steps: number;
    /**
     * Unset: the trainer's rate for the base, 1e-3 for a fresh adapter on radflow-cxr-small, 5e-5 for a full
     * fine-tune (RETRAIN_FULL_FINETUNE), 2e-4 to continue radflow-cxr's served adapters.
     */
    learningRate: number | undefined;
    /** At most this many passes over the training set (feedback and replay): more memorises a small batch. */
    maxEpochs: number;
    batchTokens: number;
    seed: number;
    timeoutSeconds: number;
    /** RETRAIN_FULL_FINETUNE: fine-tune every weight (a full copy per version) instead of training an adapter. */
    fullFineTune: boolean;
    /** RETRAIN_LORA_RANK, _ALPHA, _TARGETS: the adapter (LoRA on the linears of every block). */
    lora: { rank: number; alpha: number; targets: string[] };
    /**
     * RETRAIN_REPLAY_RATIO: replay examples of the base's own training data (Open-i train split) per feedback example.
     * Unset: the trainer's choice, 1, and 3 to continue radflow-cxr's adapters on feedback written as numbered lists
     * (the replay then rewritten in that form, RETRAIN_REPLAY_FORM).
     */
    replayRatio: number | undefined;
    /**
     * RETRAIN_EPOCH_CHOICE_PERCENT (the shared model's runs) and RETRAIN_RADIOLOGIST_EPOCH_CHOICE_PERCENT (a
     * radiologist's): the share of the feedback the trainer holds out to choose how many passes, up to maxEpochs, to
     * keep (the pass with the lowest loss on it; apps/retrainer/trainer/epoch_choice.py). 0: no choice, maxEpochs.
     */
    epochChoicePercent: { shared: number; radiologist: number };
    /**
     * RETRAIN_REPLAY_FORM: auto, when a run's impression feedback is written in one recognised form (a numbered list,
     * one sentence), the replayed impressions are rewritten in it (models/training/radflow_train/impression_form.py),
     * so replay keeps the base's content without pulling against the radiologist's form; off: replayed as learnt.
     * Unset: the trainer's choice for the base (auto to continue radflow-cxr's adapters, off for a fresh adapter).
     */
    replayForm: 'off' | 'auto' | undefined;
  };
  /** RETRAIN_OPENI_DIR and RETRAIN_EVAL_*: the fixed Open-i set and the held-out feedback set. */
  evaluation: {
    openiDir: string;
    fixedSetSize: number;
    /** Cap on held-out feedback examples scored per task. */
    feedbackSetSize: number;
    maxNewTokens: number;
    threads: number;
  };
  /** RETRAIN_GATE_*: non-inferiority margin (0-1 units), bootstrap resamples, examples a gated set needs. */
  gate: { tolerance: number; resamples: number; minExamples: number };
  /**
   * RETRAIN_SHADOW_*: shadow evaluation after the gate, on live finalized reports: the reports and hours it lasts at
   * least (both 0: no shadow, the gate alone promotes) and its non-inferiority margin (0-1 units).
   */
  shadow: { minReports: number; periodHours: number; tolerance: number };
  /**
   * RETRAIN_CANARY_*: a version serving a share of live reports beside the serving model (by accession hash). SHARE:
   * the share a candidate that passed shadow starts its canary at (0: none, a shadow pass promotes at once; an
   * operator may still start one with `radflow model promote --canary`). MIN_REPORTS (per arm), HOURS, TOLERANCE:
   * the canary's period and margin, as shadow's; a canary shown worse is rolled back at once. AUTO_PROMOTE: a canary
   * not worse after its period is promoted; off (the default), the operator promotes it (`radflow model promote`).
   */
  canary: { share: number; minReports: number; periodHours: number; tolerance: number; autoPromote: boolean };
}

/** The retrainer's settings; `modelDir` is the serving model (MODEL_DIR), the registry's default starting point. */
export function readRetrainerConfig(env: Env, modelDir: string): RetrainerConfig {
  const read = envReader(env);
  const workDir = read.string('RETRAIN_WORK_DIR', `${repoRoot}.cache/retrainer`);
  const fullFineTune = read.bool('RETRAIN_FULL_FINETUNE', false);
  return {
    httpPort: read.int('RETRAINER_HTTP_PORT', 8095, { min: 0, max: 65535 }),
    minNewExamples: read.int('RETRAIN_MIN_NEW_EXAMPLES', 50, { min: 1 }),
    radiologistMinFeedback: read.int('RETRAIN_RADIOLOGIST_MIN_FEEDBACK', 100, { min: 0 }),
    workDir,
    modelName: read.optionalString('RETRAIN_MODEL_NAME'),
    baseModelDir: read.string('RETRAIN_BASE_MODEL_DIR', modelDir),
    registryDir: read.string('RETRAIN_REGISTRY_DIR', join(workDir, 'registry')),
    autoRetrain: read.bool('RETRAIN_AUTO', true),
    scheduleMinutes: read.int('RETRAIN_SCHEDULE_MINUTES', 0, { min: 0 }),
    scheduleMinNewExamples: read.int('RETRAIN_SCHEDULE_MIN_NEW_EXAMPLES', 1, { min: 1 }),
    minIntervalSeconds: read.int('RETRAIN_MIN_INTERVAL_S', 60, { min: 0 }),
    includeUnattributed: read.bool('RETRAIN_INCLUDE_UNATTRIBUTED', true),
    split: {
      evalPercent: read.int('RETRAIN_EVAL_PERCENT', 20, { min: 0, max: 100 }),
      salt: read.string('RETRAIN_SPLIT_SALT', 'radflow-feedback-split-v1'),
    },
    trainer: {
      python: read.string('RETRAIN_PYTHON', '/usr/bin/python3'),
      script: read.string('RETRAIN_TRAINER_SCRIPT', `${repoRoot}apps/retrainer/trainer/finetune.py`),
      steps: read.int('RETRAIN_STEPS', 40, { min: 1 }),
      // The rate depends on the base (a fresh adapter, a full copy or radflow-cxr's trained adapters), which only the
      // trainer reads: unset leaves the choice to it (apps/retrainer/trainer/finetune.py --lr).
      learningRate: read.optionalString('RETRAIN_LR')
        ? read.number('RETRAIN_LR', 0, { min: Number.MIN_VALUE, max: 1 })
        : undefined,
      maxEpochs: read.number('RETRAIN_MAX_EPOCHS', 2, { min: Number.MIN_VALUE }),
      batchTokens: read.int('RETRAIN_BATCH_TOKENS', 4096, { min: 256 }),
      seed: read.int('RETRAIN_SEED', 1234),
      timeoutSeconds: read.int('RETRAIN_TIMEOUT_S', 1800, { min: 10 }),
      fullFineTune,
      lora: {
        rank: read.int('RETRAIN_LORA_RANK', 8, { min: 1 }),
        alpha: read.number('RETRAIN_LORA_ALPHA', 16, { min: Number.MIN_VALUE }),
        targets: read.list('RETRAIN_LORA_TARGETS', ['attn.qkv', 'attn.proj', 'mlp.0', 'mlp.2']),
      },
      // As the rate: how much replay a run takes depends on the base and on the form of the feedback, which only the
      // trainer reads (finetune.py --replay-ratio).
      replayRatio: read.optionalString('RETRAIN_REPLAY_RATIO')
        ? read.number('RETRAIN_REPLAY_RATIO', 1, { min: 0 })
        : undefined,
      epochChoicePercent: {
        shared: read.number('RETRAIN_EPOCH_CHOICE_PERCENT', 0, { min: 0, max: 50 }),
        radiologist: read.number('RETRAIN_RADIOLOGIST_EPOCH_CHOICE_PERCENT', 0, { min: 0, max: 50 }),
      },
      // As the rate, the choice depends on the base, which only the trainer reads (finetune.py --replay-form).
      replayForm: read.optionalString('RETRAIN_REPLAY_FORM')
        ? read.oneOf('RETRAIN_REPLAY_FORM', ['off', 'auto'] as const, 'off')
        : undefined,
    },
    evaluation: {
      openiDir: read.string('RETRAIN_OPENI_DIR', dataPath('openi', env)),
      fixedSetSize: read.int('RETRAIN_EVAL_FIXED_SIZE', 100, { min: 1 }),
      feedbackSetSize: read.int('RETRAIN_EVAL_FEEDBACK_SIZE', 200, { min: 1 }),
      maxNewTokens: read.int('RETRAIN_EVAL_MAX_NEW_TOKENS', 64, { min: 1 }),
      threads: read.int('RETRAIN_EVAL_THREADS', 1, { min: 1, max: 64 }),
    },
    gate: {
      tolerance: read.number('RETRAIN_GATE_TOLERANCE', 0.01, { min: 0, max: 1 }),
      resamples: read.int('RETRAIN_GATE_RESAMPLES', 1000, { min: 10 }),
      minExamples: read.int('RETRAIN_GATE_MIN_EXAMPLES', 30, { min: 1 }),
    },
    shadow: {
      minReports: read.int('RETRAIN_SHADOW_MIN_REPORTS', 100, { min: 0 }),
      periodHours: read.number('RETRAIN_SHADOW_HOURS', 24, { min: 0 }),
      tolerance: read.number('RETRAIN_SHADOW_TOLERANCE', 0.005, { min: 0, max: 1 }),
    },
    canary: {
      share: read.number('RETRAIN_CANARY_SHARE', 0, { min: 0, max: 0.99 }),
      minReports: read.int('RETRAIN_CANARY_MIN_REPORTS', 50, { min: 1 }),
      periodHours: read.number('RETRAIN_CANARY_HOURS', 24, { min: 0 }),
      tolerance: read.number('RETRAIN_CANARY_TOLERANCE', 0.005, { min: 0, max: 1 }),
      autoPromote: read.bool('RETRAIN_CANARY_AUTO_PROMOTE', false),
    },
  };
}
