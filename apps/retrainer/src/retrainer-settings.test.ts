import { loadConfig, repoRoot } from '@radflow/config';
import {
  DEFAULT_CANARY_POLICY,
  DEFAULT_GATE_POLICY,
  DEFAULT_RETRAINING_POLICY,
  DEFAULT_SHADOW_POLICY,
  DEFAULT_SPLIT,
} from '@radflow/feedback';
import { describe, expect, it } from 'vitest';
import { retrainerSettings } from './retrainer-settings.ts';

describe('retrainerSettings', () => {
  it("unset, runs on @radflow/feedback's default policy, split, gate and shadow period", () => {
    const settings = retrainerSettings(loadConfig({}));
    expect(settings.policy).toEqual(DEFAULT_RETRAINING_POLICY);
    expect(settings.split).toEqual(DEFAULT_SPLIT);
    expect(settings.gate).toEqual(DEFAULT_GATE_POLICY);
    expect(settings.shadow).toEqual(DEFAULT_SHADOW_POLICY);
    expect(settings.canary).toEqual({ ...DEFAULT_CANARY_POLICY, share: 0, autoPromote: false });
    expect(settings.registryDir).toBe(`${settings.workDir}/registry`);
    expect(settings.trainer.script).toBe(`${repoRoot}apps/retrainer/trainer/finetune.py`);
  });

  it('takes the RETRAIN_* variables in their units, as absolute paths and milliseconds', () => {
    const settings = retrainerSettings(
      loadConfig({
        RETRAIN_WORK_DIR: 'relative/work',
        RETRAIN_MIN_INTERVAL_S: '0',
        RETRAIN_SCHEDULE_MINUTES: '15',
        RETRAIN_TIMEOUT_S: '60',
        RETRAIN_LR: '3e-4',
        RETRAIN_GATE_TOLERANCE: '0.02',
        RETRAIN_SHADOW_MIN_REPORTS: '0',
        RETRAIN_SHADOW_HOURS: '0.5',
        RETRAIN_CANARY_SHARE: '0.1',
        RETRAIN_CANARY_MIN_REPORTS: '20',
        RETRAIN_CANARY_AUTO_PROMOTE: 'true',
        MODEL_DIR: '/models/serving',
      }),
    );
    expect(settings.workDir).toBe(`${process.cwd()}/relative/work`);
    expect(settings.registryDir).toBe(`${process.cwd()}/relative/work/registry`);
    expect(settings.baseModelDir).toBe('/models/serving');
    expect(settings.policy).toMatchObject({ minIntervalMs: 0, scheduleEveryMs: 900_000 });
    expect(settings.trainer).toMatchObject({ timeoutMs: 60_000, learningRate: 3e-4 });
    expect(settings.gate).toEqual({ ...DEFAULT_GATE_POLICY, tolerance: 0.02 });
    expect(settings.shadow).toEqual({ ...DEFAULT_SHADOW_POLICY, minReports: 0, periodHours: 0.5 });
    expect(settings.canary).toEqual({
      ...DEFAULT_CANARY_POLICY,
      share: 0.1,
      minReports: 20,
      autoPromote: true,
    });
  });

  it('trains an adapter with replay by default; RETRAIN_FULL_FINETUNE restores the whole-model fine-tune', () => {
    const adapter = retrainerSettings(loadConfig({})).trainer;
    expect(adapter).toMatchObject({
      fullFineTune: false,
      learningRate: undefined,
      replayRatio: undefined,
      epochChoicePercent: { shared: 0, radiologist: 0 },
      replayForm: undefined,
      lora: { rank: 8, alpha: 16, targets: ['attn.qkv', 'attn.proj', 'mlp.0', 'mlp.2'] },
    });
    const tuned = retrainerSettings(
      loadConfig({
        RETRAIN_REPLAY_RATIO: '2.5',
        RETRAIN_LORA_RANK: '4',
        RETRAIN_LORA_ALPHA: '8',
        RETRAIN_LORA_TARGETS: 'attn.qkv, mlp.2',
        RETRAIN_RADIOLOGIST_EPOCH_CHOICE_PERCENT: '20',
        RETRAIN_REPLAY_FORM: 'off',
      }),
    ).trainer;
    expect(tuned).toMatchObject({
      replayRatio: 2.5,
      epochChoicePercent: { shared: 0, radiologist: 20 },
      replayForm: 'off',
      lora: { rank: 4, alpha: 8, targets: ['attn.qkv', 'mlp.2'] },
    });
    const full = retrainerSettings(loadConfig({ RETRAIN_FULL_FINETUNE: 'true' })).trainer;
    expect(full).toMatchObject({ fullFineTune: true, learningRate: undefined });
    expect(() => loadConfig({ RETRAIN_REPLAY_RATIO: '-1' })).toThrow(/RETRAIN_REPLAY_RATIO/);
    expect(() => loadConfig({ RETRAIN_EPOCH_CHOICE_PERCENT: '60' })).toThrow(/RETRAIN_EPOCH_CHOICE_PERCENT/);
    expect(() => loadConfig({ RETRAIN_REPLAY_FORM: 'list' })).toThrow(/RETRAIN_REPLAY_FORM/);
  });
});
