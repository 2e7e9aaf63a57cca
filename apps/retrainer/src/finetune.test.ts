import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@radflow/config';
import { trainingExamples, datasetSnapshot } from '@radflow/feedback';
import { ModelHandle, silentLogger } from '@radflow/model-runtime';
import { readModelManifest } from './artifact-store.ts';
import { runTrainer } from './trainer-process.ts';

describe('trainer/finetune.py on the tiny model', () => {
  it('reads the weights back from ONNX, takes a few steps and exports a candidate the runtime loads', async () => {
    const work = mkdtempSync(join(tmpdir(), 'radflow-finetune-'));
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
        correctedText: 'No acute cardiopulmonary abnormality.',
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
    const steps: number[] = [];
    const result = await runTrainer(
      {
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
        dataSnapshot: snapshot.hash,
        timeoutMs: 120_000,
      },
      (p) => void (p.stage === 'training' && steps.push(p.step)),
    );
    expect(steps).toEqual([1, 2, 3]);
    expect(String(result.started.weights)).toMatch(/^onnx:model\.onnx \(max \|logit diff\| /);
    expect(existsSync(join(result.modelDir, 'model.pt'))).toBe(true);
    expect(readModelManifest(result.modelDir)).toMatchObject({
      name: 'tiny-ft',
      version: '0.1.0-ft.test',
      baseModel: { name: 'radflow-tiny-random', version: '0.1.0' },
      dataSnapshot: snapshot.hash,
      fineTune: { steps: 3, seed: 7 },
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
});
