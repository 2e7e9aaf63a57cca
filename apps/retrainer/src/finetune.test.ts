import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@radflow/config';
import { trainingExamples, datasetSnapshot } from '@radflow/feedback';
import { ModelHandle, silentLogger } from '@radflow/model-runtime';
import { readModelManifest } from './artifact-store.ts';
import { runTrainer, type TrainerJob } from './trainer-process.ts';

function feedbackDataset(work: string): string {
  const { examples } = trainingExamples(
    Array.from({ length: 12 }, (_, i) => ({
      sequence: i + 1,
      feedbackId: `f${i}`,
      accession: `ACC${i}`,
      reportVersion: null,
      source: 'explicit' as const,
      reviewerId: 'r',
      output: 'impression' as const,
      verdict: 'edit' as const,
      model: null,
      draftText: null,
      correctedText: '1. No acute cardiopulmonary abnormality.',
      draftLabels: null,
      correctedLabels: null,
      correctedPriority: null,
      findings: `The heart is normal in size. The lungs are clear. Study ${i}.`,
      reportText: null,
      submittedAt: '2025-01-01T00:00:00Z',
    })),
    { split: { evalPercent: 0, salt: 'test' } },
  );
  const snapshot = datasetSnapshot(examples);
  for (const [path, content] of Object.entries(snapshot.files)) {
    mkdirSync(join(work, 'dataset', path, '..'), { recursive: true });
    writeFileSync(join(work, 'dataset', path), content);
  }
  return snapshot.hash;
}

const job = (work: string, dataSnapshot: string, overrides: Partial<TrainerJob> = {}): TrainerJob => ({
  python: '/usr/bin/python3',
  script: join(repoRoot, 'apps/retrainer/trainer/finetune.py'),
  baseDir: join(repoRoot, 'models/tiny-random'),
  datasetDir: join(work, 'dataset'),
  outDir: join(work, 'candidate'),
  name: 'tiny-ft',
  version: '0.1.0-ft.test',
  steps: 3,
  learningRate: 1e-3,
  maxEpochs: 100,
  batchTokens: 2048,
  seed: 7,
  dataSnapshot,
  timeoutMs: 120_000,
  fullFineTune: false,
  lora: { rank: 4, alpha: 8, targets: ['attn.qkv', 'attn.proj', 'mlp.0', 'mlp.2'] },
  replayRatio: 1,
  replayOpeniDir: join(repoRoot, 'data/openi'),
  epochChoicePercent: 0,
  replayForm: 'auto',
  ...overrides,
});

describe('trainer/finetune.py on the tiny model', () => {
  it('trains an adapter on feedback and replay, and exports the merged candidate the runtime loads', async () => {
    const work = mkdtempSync(join(tmpdir(), 'radflow-finetune-'));
    const hash = feedbackDataset(work);
    const steps: number[] = [];
    const result = await runTrainer(
      job(work, hash),
      (p) => void (p.stage === 'training' && steps.push(p.step)),
    );
    expect(steps).toEqual([1, 2, 3]);
    expect(result.started).toMatchObject({ mode: 'adapter', examples: 12, replayExamples: 12 });
    expect(String(result.started.weights)).toMatch(/^onnx:model\.onnx \(max \|logit diff\| /);
    expect(result.modelDir).toBe(join(work, 'candidate', 'merged'));
    expect(result.adapter).toMatchObject({
      dir: join(work, 'candidate', 'adapter'),
      lora: { rank: 4, alpha: 8 },
      // A numbered-list writer's feedback: replayed impressions (if the sample has any) are rewritten as lists.
      replay: { ratio: 1, seed: 7, count: 12, impressionForm: { form: 'numbered-list', evidence: 12 } },
      feedbackCount: 12,
    });
    const manifest = JSON.parse(readFileSync(result.adapter!.manifestPath, 'utf8'));
    expect(manifest).toMatchObject({
      baseModel: {
        name: 'radflow-tiny-random',
        version: '0.1.0',
        onnxSha256: result.adapter!.baseOnnxSha256,
      },
      adapter: { sha256: result.adapter!.sha256 },
      data: { snapshot: hash, feedback: { count: 12 }, replay: { count: 12 } },
    });
    // Hashes and counts only: no report text in the manifest.
    expect(JSON.stringify(manifest)).not.toContain('lungs are clear');
    expect(existsSync(join(result.modelDir, 'model.pt'))).toBe(false);
    expect(readModelManifest(result.modelDir)).toMatchObject({
      name: 'tiny-ft',
      version: '0.1.0-ft.test',
      baseModel: { name: 'radflow-tiny-random', version: '0.1.0' },
      dataSnapshot: hash,
      fineTune: { kind: 'lora', steps: 3, seed: 7, rank: 4 },
      adapter: { sha256: result.adapter!.sha256, derived: true },
    });
    const handle = await ModelHandle.load(result.modelDir, { logger: silentLogger });
    try {
      const out = await handle.runTask(
        'impression',
        { findings: 'Clear lungs.' },
        { deadlineMs: 20_000, maxNewTokens: 4 },
      );
      expect(out.model).toEqual({ name: 'tiny-ft', version: '0.1.0-ft.test' });
    } finally {
      await handle.drainAndRelease();
    }
  }, 150_000);

  it('with fullFineTune, fine-tunes every weight into a model directory with its weights', async () => {
    const work = mkdtempSync(join(tmpdir(), 'radflow-finetune-full-'));
    const hash = feedbackDataset(work);
    const result = await runTrainer(job(work, hash, { fullFineTune: true, replayRatio: 0 }), () => undefined);
    expect(result.adapter).toBeUndefined();
    expect(result.started).toMatchObject({ mode: 'full', replayExamples: 0 });
    expect(result.started.trainableParameters).toBe(result.started.parameters);
    expect(existsSync(join(result.modelDir, 'model.pt'))).toBe(true);
    expect(readModelManifest(result.modelDir)).toMatchObject({ fineTune: { kind: 'full', steps: 3 } });
  }, 150_000);
});
