import { resolve } from 'node:path';
import type { RadflowConfig } from '@radflow/config';
import {
  DEFAULT_GATE_POLICY,
  DEFAULT_SHADOW_POLICY,
  type GatePolicy,
  type RetrainingPolicy,
  type ShadowPolicy,
  type SplitOptions,
} from '@radflow/feedback';

/** Everything a retraining run needs, from config.retrainer (RETRAINER_HTTP_PORT, RETRAIN_*: libs/config). */
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
  /** Shadow evaluation after the gate (0 reports and 0 hours: none, the gate alone promotes). */
  shadow: ShadowPolicy;
}

/** The retrainer's run settings from config.retrainer: paths made absolute, times in milliseconds, feedback's types. */
export function retrainerSettings(config: RadflowConfig): RetrainerSettings {
  const { retrainer } = config;
  const { timeoutSeconds, ...trainer } = retrainer.trainer;
  return {
    modelName: retrainer.modelName,
    baseModelDir: resolve(retrainer.baseModelDir),
    workDir: resolve(retrainer.workDir),
    registryDir: resolve(retrainer.registryDir),
    autoRetrain: retrainer.autoRetrain,
    policy: {
      minNewExamples: retrainer.minNewExamples,
      scheduleEveryMs: retrainer.scheduleMinutes * 60_000,
      minNewExamplesForSchedule: retrainer.scheduleMinNewExamples,
      minIntervalMs: retrainer.minIntervalSeconds * 1000,
    },
    includeUnattributed: retrainer.includeUnattributed,
    split: { ...retrainer.split },
    trainer: { ...trainer, script: resolve(trainer.script), timeoutMs: timeoutSeconds * 1000 },
    evaluation: { ...retrainer.evaluation, openiDir: resolve(retrainer.evaluation.openiDir) },
    gate: { ...DEFAULT_GATE_POLICY, ...retrainer.gate },
    // The gate's resamples: one bootstrap budget for both comparisons.
    shadow: { ...DEFAULT_SHADOW_POLICY, ...retrainer.shadow, resamples: retrainer.gate.resamples },
  };
}
