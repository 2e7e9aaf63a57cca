import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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

  it.each(['../escape', '.hidden', 'a/b', ''])('refuses the version %j', (version) => {
    expect(() => new ArtifactStore('/tmp/x').dirOf('model', version)).toThrow(ArtifactNameError);
  });
});
