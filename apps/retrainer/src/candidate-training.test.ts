import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactStore, readModelManifest } from './artifact-store.ts';
import { epochChoicePercentOf, storeCandidate } from './candidate-training.ts';
import type { TrainerResult } from './trainer-process.ts';

function modelDirIn(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'radflow-model.json'), JSON.stringify({ name: 'x', version: 'y' }));
  writeFileSync(join(dir, 'model.onnx'), 'onnx');
  return dir;
}

const figures = { steps: 3, seconds: 2, trainSeconds: 1, finalLoss: 0.5, epochChoice: {}, started: {} };

describe('storeCandidate', () => {
  it('stores an adapter run as adapter + manifest with the merged directory as modelDir, and says so', () => {
    const store = new ArtifactStore(mkdtempSync(join(tmpdir(), 'radflow-registry-')));
    const out = mkdtempSync(join(tmpdir(), 'radflow-candidate-'));
    mkdirSync(join(out, 'adapter'));
    writeFileSync(join(out, 'adapter', 'adapter.pt'), 'weights');
    writeFileSync(join(out, 'adapter-manifest.json'), '{}');
    const result: TrainerResult = {
      ...figures,
      modelDir: modelDirIn(out, 'merged'),
      adapter: {
        dir: join(out, 'adapter'),
        manifestPath: join(out, 'adapter-manifest.json'),
        sha256: 'cd'.repeat(32),
        bytes: 7,
        baseOnnxSha256: 'ef'.repeat(32),
        lora: { rank: 8, alpha: 16, targets: ['attn.qkv'], parameters: 4096 },
        replay: {
          ratio: 1,
          seed: 1234,
          count: 60,
          countsPerTask: { impression: 20, abnormality_labels: 40 },
          impressionForm: null,
        },
        feedbackCount: 60,
      },
    };
    const { modelDir, adapter } = storeCandidate(store, 'radflow-cxr-small', '0.2.0-ft.a', result, {
      name: 'radflow-cxr-small',
      version: '0.2.0',
    });
    const dir = join(store.root, 'radflow-cxr-small', '0.2.0-ft.a');
    expect(modelDir).toBe(join(dir, 'merged'));
    expect(readModelManifest(modelDir)).toMatchObject({ name: 'radflow-cxr-small', version: '0.2.0-ft.a' });
    expect(adapter).toEqual({
      path: join(dir, 'adapter', 'adapter.pt'),
      manifest: join(dir, 'adapter-manifest.json'),
      sha256: 'cd'.repeat(32),
      bytes: 7,
      baseName: 'radflow-cxr-small',
      baseVersion: '0.2.0',
      baseOnnxSha256: 'ef'.repeat(32),
      rank: 8,
      alpha: 16,
      targets: ['attn.qkv'],
      parameters: 4096,
      feedbackExamples: 60,
      replay: result.adapter!.replay,
      merged: { modelDir, derived: true },
    });
    // The trainer's output is moved into the store, not left beside the run.
    expect(existsSync(join(out, 'adapter'))).toBe(false);
    expect(existsSync(join(out, 'merged'))).toBe(false);
  });

  it('stores a full fine-tune as its model directory, as before', () => {
    const store = new ArtifactStore(mkdtempSync(join(tmpdir(), 'radflow-registry-')));
    const out = mkdtempSync(join(tmpdir(), 'radflow-candidate-'));
    const result: TrainerResult = { ...figures, modelDir: modelDirIn(out, 'candidate') };
    const stored = storeCandidate(store, 'radflow-cxr-small', '0.2.0-ft.f', result);
    expect(stored).toEqual({ modelDir: join(store.root, 'radflow-cxr-small', '0.2.0-ft.f') });
    expect(existsSync(join(stored.modelDir, 'model.onnx'))).toBe(true);
    expect(existsSync(join(out, 'candidate'))).toBe(false);
  });
});

describe('epochChoicePercentOf', () => {
  it("holds out the radiologist share for a radiologist's run and the shared one otherwise", () => {
    const percent = { shared: 0, radiologist: 20 };
    expect(epochChoicePercentOf(percent, { modelName: 'm', includeUnattributed: true })).toBe(0);
    expect(
      epochChoicePercentOf(percent, {
        modelName: 'm',
        includeUnattributed: false,
        radiologistKey: 'ab'.repeat(8),
      }),
    ).toBe(20);
  });
});
