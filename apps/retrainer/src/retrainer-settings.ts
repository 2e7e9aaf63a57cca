import { resolve } from 'node:path';
import type { RadflowConfig, RetrainerConfig } from '@radflow/config';
import {
  DEFAULT_CANARY_POLICY,
  DEFAULT_GATE_POLICY,
  DEFAULT_SHADOW_POLICY,
  type CanaryPolicy,
  type GatePolicy,
  type RetrainingPolicy,
  type ShadowPolicy,
  type SplitOptions,
} from '@radflow/feedback';

/**
 * Everything a retraining run needs, from config.retrainer (RETRAINER_HTTP_PORT, RETRAIN_*: libs/config, where each
 * field is described): the same fields, with absolute paths, milliseconds and @radflow/feedback's policy types.
 */
export interface RetrainerSettings extends Pick<
  RetrainerConfig,
  | 'modelName'
  | 'baseModelDir'
  | 'workDir'
  | 'registryDir'
  | 'autoRetrain'
  | 'includeUnattributed'
  | 'radiologistMinFeedback'
  | 'evaluation'
> {
  policy: RetrainingPolicy;
  split: SplitOptions;
  trainer: Omit<RetrainerConfig['trainer'], 'timeoutSeconds'> & { timeoutMs: number };
  gate: GatePolicy;
  /** Shadow evaluation after the gate (0 reports and 0 hours: none, the gate alone promotes). */
  shadow: ShadowPolicy;
  /** The canary after shadow (RETRAIN_CANARY_*): its verdict's policy, the share it starts at, auto-promotion. */
  canary: CanaryPolicy & { share: number; autoPromote: boolean };
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
    radiologistMinFeedback: retrainer.radiologistMinFeedback,
    split: { ...retrainer.split },
    trainer: { ...trainer, script: resolve(trainer.script), timeoutMs: timeoutSeconds * 1000 },
    evaluation: { ...retrainer.evaluation, openiDir: resolve(retrainer.evaluation.openiDir) },
    gate: { ...DEFAULT_GATE_POLICY, ...retrainer.gate },
    // The gate's resamples: one bootstrap budget for both comparisons.
    shadow: { ...DEFAULT_SHADOW_POLICY, ...retrainer.shadow, resamples: retrainer.gate.resamples },
    canary: { ...DEFAULT_CANARY_POLICY, ...retrainer.canary, resamples: retrainer.gate.resamples },
  };
}
