import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiSchemaId, createSchemaAjv } from '@radflow/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelCopiesRoot, modelCopy, startInference, type RunningInference } from './testing.ts';

const problem = createSchemaAjv().getSchema(apiSchemaId('problem.v1'))!;
const name = 'radflow-tiny-random';
const radiologist = `${name}~r-00112233aabbccdd`;
// The registry as a table: name@version → model directory (the host's registryLocator reads PostgreSQL instead).
const registry = new Map<string, string>();
const outside = mkdtempSync(join(tmpdir(), 'radflow-outside-root-'));
// A generous deadline: a version's first request waits for its load, and the suite may share a busy machine.
const impression = {
  findings: 'Mild cardiomegaly. Small left pleural effusion.',
  maxNewTokens: 4,
  deadlineMs: 120_000,
};

let service: RunningInference;
beforeAll(async () => {
  registry.set(`${name}@0.2.0-canary`, modelCopy('0.2.0-canary', name));
  registry.set(`${radiologist}@1.0.0`, modelCopy('1.0.0', radiologist));
  registry.set(`${name}@0.3.0`, modelCopy('0.3.0', name));
  // The registry says 0.9.0 is in this directory, but its manifest names 0.1.0: a broken entry, never served as 0.9.0.
  registry.set(`${name}@0.9.0`, modelCopy('0.1.0', name));
  // A path that climbs out of the allowed root.
  registry.set(`${name}@6.6.6`, join(modelCopiesRoot, '..', 'elsewhere'));
  registry.set(`${name}@7.7.7`, outside);
  service = await startInference({
    // The serving model plus one more: the LRU holds one requested version at a time.
    maxLoadedModels: 2,
    modelDir: modelCopy('0.1.0', name),
    locateModel: async (n, v) => registry.get(`${n}@${v}`),
  });
});
afterAll(async () => {
  await service.close();
  rmSync(modelCopiesRoot, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const ask = (model?: { name: string; version: string }) =>
  service.post('/v1/tasks/impression', { ...impression, ...(model ? { model } : {}) });

describe('versions named by a request (canary, radiologist models) beside the serving model', () => {
  it('answers from the version named, loading it from the registry, and names it in the response', async () => {
    expect((await ask()).body.model).toEqual({ name, version: '0.1.0' });
    expect((await ask({ name, version: '0.1.0' })).body.model).toEqual({ name, version: '0.1.0' });
    const canary = await ask({ name, version: '0.2.0-canary' });
    expect(canary.status).toBe(200);
    expect(canary.body.model).toEqual({ name, version: '0.2.0-canary' });
    const enrich = await service.post('/v1/enrich', {
      findings: impression.findings,
      report: `FINDINGS: ${impression.findings}`,
      maxNewTokens: 4,
      deadlineMs: impression.deadlineMs,
      model: { name: radiologist, version: '1.0.0' },
    });
    expect(enrich.status).toBe(200);
    expect(enrich.body.model).toEqual({ name: radiologist, version: '1.0.0' });
    expect(enrich.body.tasks.abnormality_labels.model).toEqual({ name: radiologist, version: '1.0.0' });
  });

  it('keeps the serving model pinned and at most INFERENCE_MAX_LOADED_MODELS sessions, least recently used out', async () => {
    expect((await ask({ name, version: '0.3.0' })).status).toBe(200);
    // A session's counts come from its worker thread just after its answer: read them once they have arrived.
    let ready = await service.get('/ready');
    for (let tries = 0; ready.body.loadedModels[0]?.counts.completed !== 1 && tries < 50; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await service.get('/ready');
    }
    expect(ready.body.model).toEqual({ name, version: '0.1.0' });
    expect(ready.body.loadedModels).toEqual([
      expect.objectContaining({
        model: { name, version: '0.3.0' },
        counts: expect.objectContaining({ completed: 1 }),
      }),
    ]);
    // Back to the radiologist's model: loaded again, and it still answers after its eviction.
    expect((await ask({ name: radiologist, version: '1.0.0' })).body.model.name).toBe(radiologist);
    expect((await service.get('/ready')).body.loadedModels.map((m: { model: object }) => m.model)).toEqual([
      { name: radiologist, version: '1.0.0' },
    ]);
    expect((await ask()).body.model).toEqual({ name, version: '0.1.0' });
  });

  it('answers 404 MODEL_NOT_FOUND for a version the registry does not hold, never another model', async () => {
    const missing = await ask({ name, version: '0.0.0-missing' });
    expect(missing.status).toBe(404);
    expect(problem(missing.body), JSON.stringify(problem.errors)).toBe(true);
    expect(missing.body.code).toBe('MODEL_NOT_FOUND');
    expect(missing.body.model).toEqual({ name, version: '0.1.0' });
  });

  it('refuses registry directories outside the allowed roots (403) and a manifest naming another version (422)', async () => {
    expect((await ask({ name, version: '7.7.7' })).body.code).toBe('MODEL_DIR_NOT_ALLOWED');
    expect((await ask({ name, version: '6.6.6' })).status).toBe(403);
    const mismatch = await ask({ name, version: '0.9.0' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.code).toBe('MODEL_LOAD_FAILED');
    expect(
      (await service.get('/ready')).body.loadedModels.map((m: { model: object }) => m.model),
    ).not.toContainEqual({
      name,
      version: '0.9.0',
    });
  });

  it('validates the selector against the schema', async () => {
    const bad = await service.post('/v1/tasks/impression', { ...impression, model: { name } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/model' })]));
    const extra = await service.post('/v1/enrich', {
      findings: 'x',
      report: 'y',
      model: { name, version: '1', path: '/etc' },
    });
    expect(extra.status).toBe(400);
  });

  it('drops a loaded version once it becomes the serving model (a promoted canary): no second copy', async () => {
    expect((await ask({ name: radiologist, version: '1.0.0' })).status).toBe(200);
    const loaded = async () =>
      (await service.get('/ready')).body.loadedModels.map((m: { model: { version: string } }) => m.model);
    expect(await loaded()).toContainEqual({ name: radiologist, version: '1.0.0' });
    const reload = await service.post('/admin/reload', { modelDir: registry.get(`${radiologist}@1.0.0`) });
    expect(reload.body.current).toEqual({ name: radiologist, version: '1.0.0' });
    expect(await loaded()).toEqual([]);
    expect((await ask({ name: radiologist, version: '1.0.0' })).body.model).toEqual({
      name: radiologist,
      version: '1.0.0',
    });
    expect(await loaded()).toEqual([]);
  });
});
