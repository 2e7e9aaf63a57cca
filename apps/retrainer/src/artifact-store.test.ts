import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactNameError, ArtifactStore, readModelManifest } from './artifact-store.ts';

function modelDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'radflow-model-'));
  writeFileSync(
    join(dir, 'radflow-model.json'),
    JSON.stringify({ name: 'orig', version: '0.1.0', onnx: { model: 'model.onnx' } }),
  );
  writeFileSync(join(dir, 'model.onnx'), 'bytes');
  return dir;
}

describe('ArtifactStore', () => {
  it('copies a model in under its registry name and version, once', () => {
    const store = new ArtifactStore(mkdtempSync(join(tmpdir(), 'radflow-registry-')));
    const source = modelDir();
    const dir = store.put('radflow-cxr-small', '0.1.0-ft.20250101T000000Z.ab12', source, {
      baseModel: { name: 'orig', version: '0.1.0' },
    });
    expect(dir).toBe(join(store.root, 'radflow-cxr-small', '0.1.0-ft.20250101T000000Z.ab12'));
    expect(readModelManifest(dir)).toMatchObject({
      name: 'radflow-cxr-small',
      version: '0.1.0-ft.20250101T000000Z.ab12',
      baseModel: { version: '0.1.0' },
    });
    expect(existsSync(join(dir, 'model.onnx'))).toBe(true);
    expect(readModelManifest(source).name).toBe('orig');
    writeFileSync(join(source, 'model.onnx'), 'changed');
    store.put('radflow-cxr-small', '0.1.0-ft.20250101T000000Z.ab12', source);
    expect(readdirSync(join(store.root, 'radflow-cxr-small'))).toEqual(['0.1.0-ft.20250101T000000Z.ab12']);
    expect(store.has('radflow-cxr-small', '0.1.0-ft.20250101T000000Z.ab12')).toBe(true);
  });

  it("takes a radiologist's model name (<shared>~r-<key>) and refuses names that climb out of the store", () => {
    const store = new ArtifactStore(mkdtempSync(join(tmpdir(), 'radflow-registry-')));
    const name = 'radflow-cxr-small~r-0123456789abcdef';
    const dir = store.put(name, '0.2.0-ft.20250101T000000Z.ab12', modelDir());
    expect(dir).toBe(join(store.root, name, '0.2.0-ft.20250101T000000Z.ab12'));
    expect(readModelManifest(dir).name).toBe(name);
    for (const bad of ['~r-0123456789abcdef', '../escape', 'a/b', '.hidden'])
      expect(() => store.put(bad, '0.1.0', modelDir())).toThrow(ArtifactNameError);
  });

  it('stores an adapter version: the adapter and its manifest, the merged model directory beside them', () => {
    const store = new ArtifactStore(mkdtempSync(join(tmpdir(), 'radflow-registry-')));
    const out = mkdtempSync(join(tmpdir(), 'radflow-trainer-out-'));
    mkdirSync(join(out, 'adapter'));
    writeFileSync(join(out, 'adapter', 'adapter.pt'), 'adapter bytes');
    writeFileSync(join(out, 'adapter-manifest.json'), JSON.stringify({ name: 'tmp', lora: { rank: 8 } }));
    const merged = modelDir();
    const stored = store.putAdapter('radflow-cxr-small', '0.2.0-ft.x', {
      adapterDir: join(out, 'adapter'),
      manifestPath: join(out, 'adapter-manifest.json'),
      mergedDir: merged,
    });
    const dir = join(store.root, 'radflow-cxr-small', '0.2.0-ft.x');
    expect(stored).toEqual({
      dir,
      adapterDir: join(dir, 'adapter'),
      manifestPath: join(dir, 'adapter-manifest.json'),
      modelDir: join(dir, 'merged'),
    });
    expect(readdirSync(dir).sort()).toEqual(['adapter', 'adapter-manifest.json', 'merged']);
    expect(readFileSync(join(dir, 'adapter', 'adapter.pt'), 'utf8')).toBe('adapter bytes');
    expect(JSON.parse(readFileSync(stored.manifestPath, 'utf8'))).toEqual({
      name: 'radflow-cxr-small',
      version: '0.2.0-ft.x',
      lora: { rank: 8 },
    });
    expect(readModelManifest(stored.modelDir)).toMatchObject({
      name: 'radflow-cxr-small',
      version: '0.2.0-ft.x',
    });
    expect(store.has('radflow-cxr-small', '0.2.0-ft.x')).toBe(true);
    // Versions are immutable: a second put keeps the first adapter.
    writeFileSync(join(out, 'adapter', 'adapter.pt'), 'other bytes');
    store.putAdapter('radflow-cxr-small', '0.2.0-ft.x', {
      adapterDir: join(out, 'adapter'),
      manifestPath: join(out, 'adapter-manifest.json'),
      mergedDir: merged,
    });
    expect(readFileSync(join(dir, 'adapter', 'adapter.pt'), 'utf8')).toBe('adapter bytes');
    expect(readdirSync(join(store.root, 'radflow-cxr-small'))).toEqual(['0.2.0-ft.x']);
  });

  it.each(['../escape', '.hidden', 'a/b', ''])('refuses the version %j', (version) => {
    expect(() => new ArtifactStore('/tmp/x').dirOf('model', version)).toThrow(ArtifactNameError);
  });
});
