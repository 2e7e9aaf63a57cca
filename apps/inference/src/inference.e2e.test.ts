import { rmSync } from 'node:fs';
import { TASK_NAMES, taskCatalog } from '@radflow/prompts';
import { apiSchemaId, createSchemaAjv } from '@radflow/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelCopiesRoot, modelCopy, startInference, type RunningInference } from './testing.ts';

const ajv = createSchemaAjv();
const schema = (name: string) => ajv.getSchema(apiSchemaId(name))!;
const taskResponse = schema('inference.task-response.v1');
const enrichResponse = schema('inference.enrich-response.v1');
const problem = schema('problem.v1');

const report =
  'FINDINGS: Endotracheal tube 4 cm above the carina. Mild cardiomegaly. Small left pleural effusion. IMPRESSION: Small effusion.';
const inputs: Record<string, string> = {
  report,
  findings: 'Mild cardiomegaly. Small left pleural effusion.',
  text: 'Interval increase in the small left pleural effusion.',
  question: 'Is there an effusion?',
  priorReport: 'FINDINGS: Normal heart size. No effusion.',
};
const bodyFor = (task: string) =>
  Object.fromEntries(
    taskCatalog.tasks[task as keyof typeof taskCatalog.tasks].placeholders
      .map((p) => (p === 'prior_report' ? 'priorReport' : p))
      .map((k) => [k, inputs[k]]),
  );

let service: RunningInference;
beforeAll(async () => {
  service = await startInference();
});
afterAll(async () => {
  await service.close();
  rmSync(modelCopiesRoot, { recursive: true, force: true });
});

describe('inference HTTP API on models/tiny-random (real ONNX Runtime)', () => {
  it('reports health and readiness with the loaded model', async () => {
    expect(await service.get('/health')).toEqual({
      status: 200,
      body: { status: 'ok', model: { name: 'radflow-tiny-random', version: '0.1.0' } },
    });
    const ready = await service.get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      ready: true,
      model: { name: 'radflow-tiny-random', version: '0.1.0' },
      provider: 'cpu',
    });
  });

  it.each(TASK_NAMES)('POST /v1/tasks/%s answers a preliminary, AI-generated draft', async (task) => {
    const { status, body } = await service.post(`/v1/tasks/${task}`, { ...bodyFor(task), maxNewTokens: 16 });
    expect(status).toBe(200);
    expect(taskResponse(body), JSON.stringify(taskResponse.errors)).toBe(true);
    expect(body).toMatchObject({
      task,
      status: 'preliminary',
      aiGenerated: true,
      model: { name: 'radflow-tiny-random', version: '0.1.0' },
    });
    if (taskCatalog.tasks[task].answer === 'labels') {
      expect(body.parseError).toBeNull();
      for (const label of body.result.labels)
        expect(taskCatalog.tasks[task].vocabulary?.ids).toContain(label);
    }
  });

  it('POST /v1/enrich runs the enrichment set, with temporal tasks only when a prior report is given', async () => {
    const without = await service.post('/v1/enrich', { findings: inputs.findings, report, maxNewTokens: 12 });
    expect(without.status).toBe(200);
    expect(enrichResponse(without.body), JSON.stringify(enrichResponse.errors)).toBe(true);
    expect(Object.keys(without.body.tasks).sort()).toEqual([
      'abnormality_labels',
      'device_labels',
      'impression',
    ]);
    expect(without.body.temporal).toBeNull();
    const withPrior = await service.post('/v1/enrich', {
      findings: inputs.findings,
      report,
      priorReport: inputs.priorReport,
      maxNewTokens: 12,
    });
    expect(withPrior.status).toBe(200);
    expect(enrichResponse(withPrior.body), JSON.stringify(enrichResponse.errors)).toBe(true);
    expect(Object.keys(withPrior.body.tasks)).toHaveLength(5);
    expect(withPrior.body.temporal).toEqual(
      expect.objectContaining({
        added: expect.any(Array),
        removed: expect.any(Array),
        changed: expect.any(Array),
      }),
    );
    expect(withPrior.body.devices).toEqual(withPrior.body.tasks.device_labels.result.labels);
  });

  it('answers 400 with every problem listed for invalid bodies, unknown tasks and bad deadline or priority headers', async () => {
    const missing = await service.post('/v1/tasks/temporal_findings', { report, extra: 1 });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(problem(missing.body), JSON.stringify(problem.errors)).toBe(true);
    expect(missing.body).toMatchObject({ status: 400, code: 'INVALID_REQUEST', title: 'Bad Request' });
    expect(missing.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/', detail: "must have required property 'priorReport'" },
        { pointer: '/', detail: 'unknown field "extra"' },
      ]),
    );
    expect(JSON.stringify(missing.body)).not.toContain('Endotracheal');
    expect((await service.post('/v1/tasks/not_a_task', { report })).status).toBe(400);
    expect(
      (await service.post('/v1/tasks/impression', { findings: 'x' }, { 'x-deadline-ms': 'soon' })).status,
    ).toBe(400);
    const malformed = await service.post('/v1/enrich', '{"findings": "Endotracheal tube');
    expect(malformed.status).toBe(400);
    expect(problem(malformed.body)).toBe(true);
    expect(malformed.body.code).toBe('INVALID_REQUEST');
    // The body parser's message quotes the body: the problem does not.
    expect(JSON.stringify(malformed.body)).not.toContain('Endotracheal');
    const badPriority = await service.post(
      '/v1/tasks/impression',
      { findings: 'x' },
      { 'x-worklist-priority': 'asap' },
    );
    expect(badPriority.status).toBe(400);
    expect(badPriority.body.errors).toEqual([
      { pointer: 'header:x-worklist-priority', detail: 'must be stat, urgent or routine' },
    ]);
    expect(
      (await service.post('/v1/tasks/impression', { findings: 'x' }, { 'x-worklist-priority': 'stat' }))
        .status,
    ).toBe(200);
    expect((await service.post('/v1/tasks/impression', { findings: 42 })).body.errors).toEqual([
      { pointer: '/findings', detail: 'must be string' },
    ]);
  });

  it('answers 413 for a prompt longer than the context window', async () => {
    const { status, body } = await service.post('/v1/tasks/impression', {
      findings: 'effusion '.repeat(700),
    });
    expect(status).toBe(413);
    expect(problem(body)).toBe(true);
    expect(body).toMatchObject({ status: 413, code: 'INPUT_TOO_LONG' });
  });

  it('answers 504 when the deadline (body or X-Deadline-Ms header) passes', async () => {
    const viaBody = await service.post('/v1/tasks/impression', { findings: inputs.findings, deadlineMs: 1 });
    expect(viaBody.status).toBe(504);
    expect(problem(viaBody.body)).toBe(true);
    expect(viaBody.body).toMatchObject({ code: 'DEADLINE_EXCEEDED', model: { version: '0.1.0' } });
    const viaHeader = await service.post(
      '/v1/tasks/impression',
      { findings: inputs.findings },
      { 'x-deadline-ms': '1' },
    );
    expect(viaHeader.status).toBe(504);
    const generating = await service.post('/v1/tasks/impression', {
      findings: inputs.findings,
      deadlineMs: 40,
      maxNewTokens: 2048,
    });
    expect(generating.status).toBe(504);
    expect(generating.body.stage).toBe('generating');
  });
});

describe('client disconnect', () => {
  it('stops generating for a client that went away', async () => {
    const before = (await service.get('/ready')).body.counts.cancelled as number;
    const controller = new AbortController();
    const request = fetch(`${service.url}/v1/tasks/impression`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ findings: inputs.findings, maxNewTokens: 2048 }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    setTimeout(() => controller.abort(), 30);
    expect(await request).toBeInstanceOf(Error);
    let counts = (await service.get('/ready')).body.counts;
    for (let i = 0; i < 100 && counts.cancelled === before; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      counts = (await service.get('/ready')).body.counts;
    }
    expect(counts.cancelled).toBe(before + 1);
  });
});

describe('overload', () => {
  it('answers 429 with Retry-After past the queue bound and 200 for what it accepted', async () => {
    const small = await startInference({ maxBatch: 1, queueLimit: 1, maxWaitMs: 0 });
    try {
      const results = await Promise.all(
        Array.from({ length: 24 }, () =>
          small.post('/v1/tasks/impression', { findings: inputs.findings, maxNewTokens: 64 }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses).toContain(429);
      expect(statuses).toContain(200);
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
      const rejected = results.find((r) => r.status === 429);
      expect(problem(rejected?.body)).toBe(true);
      expect(rejected?.body).toMatchObject({ code: 'OVERLOADED', retryAfterMs: expect.any(Number) });
      expect(Number(rejected?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await small.close();
    }
  });
});

describe('hot reload', () => {
  it('swaps model versions under load without failing a request; afterwards the new version answers', async () => {
    const live = await startInference({ maxBatch: 4 });
    try {
      const nextDir = modelCopy('0.2.0-hot');
      const calls: { status: number; version: string; started: number; ended: number }[] = [];
      let stop = false;
      const client = async () => {
        while (!stop) {
          const started = performance.now();
          const { status, body } = await live.post('/v1/tasks/device_labels', { report });
          calls.push({ status, version: body.model?.version, started, ended: performance.now() });
        }
      };
      const clients = Array.from({ length: 6 }, client);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const reloadStarted = performance.now();
      const reload = await live.post('/admin/reload', { modelDir: nextDir });
      const reloadEnded = performance.now();
      while (calls.filter((c) => c.started > reloadEnded).length < 6)
        await new Promise((resolve) => setTimeout(resolve, 10));
      stop = true;
      await Promise.all(clients);
      expect(reload.status).toBe(200);
      expect(reload.body).toMatchObject({
        previous: { version: '0.1.0' },
        current: { version: '0.2.0-hot' },
      });
      expect(calls.map((c) => c.status).every((status) => status === 200)).toBe(true);
      // Requests were in flight across the swap, and none failed.
      expect(calls.some((c) => c.version === '0.1.0' && c.ended > reloadStarted)).toBe(true);
      const versions = calls.map((c) => c.version);
      expect(calls.filter((c) => c.started > reloadEnded).every((c) => c.version === '0.2.0-hot')).toBe(true);
      expect(versions).toContain('0.1.0');
      expect(versions.at(-1)).toBe('0.2.0-hot');
      expect((await live.get('/ready')).body.model).toEqual({
        name: 'radflow-tiny-random',
        version: '0.2.0-hot',
      });
    } finally {
      await live.close();
    }
  });

  it('refuses model directories outside the allowed roots (403) and unloadable ones (422), keeping the model', async () => {
    const refused = await service.post('/admin/reload', { modelDir: '/etc' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ status: 403, code: 'MODEL_DIR_NOT_ALLOWED' });
    const broken = await service.post('/admin/reload', { modelDir: `${modelCopy('x')}/missing` });
    expect(broken.status).toBe(422);
    expect(broken.body.code).toBe('MODEL_LOAD_FAILED');
    expect((await service.get('/ready')).body.model.version).toBe('0.1.0');
  });
});
