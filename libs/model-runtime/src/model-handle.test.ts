import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TASK_NAMES, taskCatalog } from '@radflow/prompts';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DeadlineExceededError,
  InputTooLongError,
  ModelLoadError,
  OverloadedError,
  RequestCancelledError,
} from './errors.ts';
import { ModelHandle } from './model-handle.ts';
import { copyModel, tinyModelDir } from './testing/tiny-model.ts';
import { sampleTaskInputs } from './testing/open-decoder.ts';

const inputs = sampleTaskInputs;

const batched = await ModelHandle.load(tinyModelDir, {
  maxBatch: 8,
  maxWaitMs: 20,
  providers: ['cuda', 'cpu'],
});
const single = await ModelHandle.load(tinyModelDir, { maxBatch: 1, maxWaitMs: 0 });
afterAll(async () => {
  await batched.drainAndRelease();
  await single.drainAndRelease();
});

describe('ModelHandle on models/tiny-random (real ONNX Runtime)', () => {
  it('falls back to CPU when CUDA is requested but unavailable', () => {
    expect(batched.provider).toBe('cpu');
    expect(batched.info).toEqual({ name: 'radflow-tiny-random', version: '0.1.0' });
  });

  it('answers every task; label tasks are constrained to their vocabulary', async () => {
    for (const task of TASK_NAMES) {
      const out = await batched.runTask(task, inputs, { deadlineMs: 10_000 });
      expect(out.model).toEqual(batched.info);
      expect(out.usage.promptTokens).toBeGreaterThan(10);
      if (taskCatalog.tasks[task].answer === 'labels') {
        expect(out.parseError).toBeNull();
        expect(out.answer?.format).toBe('labels');
        const ids = taskCatalog.tasks[task].vocabulary?.ids ?? [];
        for (const label of out.answer?.format === 'labels' ? out.answer.labels : [])
          expect(ids).toContain(label);
      } else {
        expect(out.answer !== null || out.parseError !== null).toBe(true);
      }
    }
  });

  it('gives the same answers batched (concurrent) as one at a time', async () => {
    const tasks = [
      'impression',
      'abnormality_labels',
      'device_labels',
      'qa_comprehension',
      'cleanup',
      'temporal_findings',
    ];
    const together = await Promise.all(
      tasks.map((task) => batched.runTask(task, inputs, { deadlineMs: 10_000, maxNewTokens: 24 })),
    );
    const alone = [];
    for (const task of tasks)
      alone.push(await single.runTask(task, inputs, { deadlineMs: 10_000, maxNewTokens: 24 }));
    expect(together.map((o) => o.text)).toEqual(alone.map((o) => o.text));
  });

  it('rejects past the queue bound with OverloadedError and still answers what it accepted', async () => {
    const small = await ModelHandle.load(tinyModelDir, { maxBatch: 1, queueLimit: 2, maxWaitMs: 0 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        small.runTask('impression', inputs, { deadlineMs: 10_000, maxNewTokens: 8 }),
      ),
    );
    const rejected = outcomes
      .filter((o) => o.status === 'rejected')
      .map((o) => (o as PromiseRejectedResult).reason);
    expect(rejected.length).toBeGreaterThan(0);
    for (const reason of rejected) expect(reason).toBeInstanceOf(OverloadedError);
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThanOrEqual(2);
    await small.drainAndRelease();
  });

  it('fails a request whose deadline passes with DeadlineExceededError and stops decoding it', async () => {
    const handle = await ModelHandle.load(tinyModelDir, { maxBatch: 4, maxWaitMs: 0 });
    await expect(handle.runTask('impression', inputs, { deadlineMs: 0 })).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    const slow = handle.generate(handle.prompt('impression', inputs), {
      deadlineMs: 30,
      maxNewTokens: 100_000,
    });
    const quick = handle.runTask('device_labels', inputs, { deadlineMs: 10_000 });
    const error = await slow.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).stage).toBe('generating');
    await quick;
    expect(handle.load).toEqual({ queued: 0, active: 0 });
    await handle.drainAndRelease();
  });

  it('drops a request whose caller aborts, mid-generation, with RequestCancelledError', async () => {
    const handle = await ModelHandle.load(tinyModelDir, { maxBatch: 4, maxWaitMs: 0 });
    const controller = new AbortController();
    const long = handle.generate(handle.prompt('impression', inputs), {
      deadlineMs: 30_000,
      maxNewTokens: 100_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const error = await long.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestCancelledError);
    expect((error as RequestCancelledError).stage).toBe('generating');
    expect(handle.load).toEqual({ queued: 0, active: 0 });
    expect(handle.counts).toMatchObject({ cancelled: 1, completed: 0 });
    await handle.drainAndRelease();
  });

  it('refuses prompts longer than the context window with InputTooLongError', async () => {
    await expect(
      single.runTask('impression', { findings: 'effusion '.repeat(600) }, { deadlineMs: 10_000 }),
    ).rejects.toBeInstanceOf(InputTooLongError);
  });

  it('prompts with the special tokens the manifest names (Phi-2 style) and stops on config eos', async () => {
    const dir = copyModel({
      specialTokens: { instruct: 'Instruct: ', output: 'Output:', endOfText: '<|endoftext|>', pad: '' },
    });
    const phiStyle = await ModelHandle.load(dir, {});
    expect(phiStyle.prompt('impression', inputs)).toMatch(/^Instruct: Given .*\nOutput:$/s);
    expect(phiStyle.tokenizer.endOfTextId).toBe(0);
    const out = await phiStyle.runTask('device_labels', inputs, { deadlineMs: 10_000 });
    expect(out.parseError).toBeNull();
    await phiStyle.drainAndRelease();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the manifest's quantized ONNX file only when asked", async () => {
    const dir = copyModel({ onnx: { model: 'model.onnx', quantized: 'model.int8.onnx' } });
    copyFileSync(join(dir, 'model.onnx'), join(dir, 'model.int8.onnx'));
    const quantized = await ModelHandle.load(dir, { quantized: true });
    const plain = await ModelHandle.load(dir, {});
    expect(quantized.onnxFile).toBe('model.int8.onnx');
    expect(plain.onnxFile).toBe('model.onnx');
    await quantized.drainAndRelease();
    await plain.drainAndRelease();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a STAT report ahead of routine work queued before it, routine work in arrival order', async () => {
    const finished: string[] = [];
    const run = (name: string, priority?: 'stat' | 'routine') =>
      single
        .runTask('impression', inputs, {
          deadlineMs: 30_000,
          maxNewTokens: 8,
          ...(priority ? { priority } : {}),
        })
        .then(() => finished.push(name));
    await Promise.all([run('r1', 'routine'), run('r2'), run('r3', 'routine'), run('stat', 'stat')]);
    expect(finished).toEqual(['stat', 'r1', 'r2', 'r3']);
  });

  it('reports a clear ModelLoadError for a directory without a manifest', async () => {
    await expect(ModelHandle.load('/nonexistent-model-dir')).rejects.toBeInstanceOf(ModelLoadError);
  });
});
