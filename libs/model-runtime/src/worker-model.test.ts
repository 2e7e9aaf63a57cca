import { PromptInputError } from '@radflow/prompts';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DeadlineExceededError,
  InputTooLongError,
  ModelLoadError,
  OverloadedError,
  RequestCancelledError,
} from './errors.ts';
import { ModelHandle } from './model-handle.ts';
import { ModelHost } from './model-host.ts';
import { tinyModelDir } from './testing/tiny-model.ts';
import { WorkerModel } from './worker-model.ts';

const inputs = {
  report: 'FINDINGS: Endotracheal tube and right PICC in place. Small left pleural effusion.',
  findings: 'Small left pleural effusion.',
};

const isolated = await WorkerModel.load(tinyModelDir, { maxBatch: 4, maxWaitMs: 1 });
const inline = await ModelHandle.load(tinyModelDir, { maxBatch: 4, maxWaitMs: 1 });
afterAll(async () => {
  await inline.drainAndRelease();
});

describe('WorkerModel: the model on its own worker thread (real ONNX Runtime)', () => {
  it('gives exactly the answers of the same model on this thread', async () => {
    for (const task of ['impression', 'abnormality_labels', 'device_labels'] as const) {
      const there = await isolated.runTask(task, inputs, { deadlineMs: 10_000, maxNewTokens: 24 });
      const here = await inline.runTask(task, inputs, { deadlineMs: 10_000, maxNewTokens: 24 });
      expect(there.text).toBe(here.text);
      expect(there.answer).toEqual(here.answer);
      expect(there.model).toEqual(here.model);
    }
    expect(isolated.counts.completed).toBe(3);
  });

  it('keeps error classes across the thread boundary', async () => {
    await expect(isolated.runTask('impression', inputs, { deadlineMs: 0 })).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    await expect(
      isolated.runTask('impression', { findings: 'effusion '.repeat(600) }, { deadlineMs: 10_000 }),
    ).rejects.toBeInstanceOf(InputTooLongError);
    const missing = await isolated
      .runTask('temporal_findings', inputs, { deadlineMs: 10_000 })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PromptInputError);
    expect((missing as PromptInputError).missing).toEqual(['priorReport']);
    const controller = new AbortController();
    const long = isolated.generate(isolated.prompt('impression', inputs), {
      deadlineMs: 30_000,
      maxNewTokens: 100_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(long).rejects.toBeInstanceOf(RequestCancelledError);
  });

  it('reports overload from the worker queue as OverloadedError', async () => {
    const small = await WorkerModel.load(tinyModelDir, { maxBatch: 1, queueLimit: 1, maxWaitMs: 0 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        small.runTask('impression', inputs, { deadlineMs: 10_000, maxNewTokens: 32 }),
      ),
    );
    const rejected = outcomes
      .filter((o) => o.status === 'rejected')
      .map((o) => (o as PromiseRejectedResult).reason);
    expect(rejected.length).toBeGreaterThan(0);
    for (const reason of rejected) expect(reason).toBeInstanceOf(OverloadedError);
    await small.drainAndRelease();
  });

  it('fails to load a bad directory with ModelLoadError', async () => {
    await expect(WorkerModel.load('/nonexistent-model-dir')).rejects.toBeInstanceOf(ModelLoadError);
  });

  it('drains, then stops its thread; later calls get ModelUnavailableError', async () => {
    const pending = isolated.runTask('device_labels', inputs, { deadlineMs: 10_000 });
    await isolated.drainAndRelease();
    expect((await pending).parseError).toBeNull();
    expect(isolated.isReleased).toBe(true);
    await expect(isolated.runTask('device_labels', inputs, { deadlineMs: 10_000 })).rejects.toThrow(
      /released/,
    );
  });

  it('is what ModelHost runs with isolation "worker"', async () => {
    const host = await ModelHost.start(tinyModelDir, { isolation: 'worker' });
    expect(host.current).toBeInstanceOf(WorkerModel);
    expect((await host.runTask('device_labels', inputs, { deadlineMs: 10_000 })).parseError).toBeNull();
    await host.close();
  });
});
