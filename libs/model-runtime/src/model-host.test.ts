import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from './errors.ts';
import { ModelHost } from './model-host.ts';
import { copyModel, tinyModelDir } from './testing/tiny-model.ts';

const inputs = { report: 'FINDINGS: Endotracheal tube and right PICC in place. IMPRESSION: Lines as above.' };

describe('ModelHost hot reload (real ONNX Runtime)', () => {
  it('swaps to a new version under load without failing a request, then releases the old session', async () => {
    const host = await ModelHost.start(tinyModelDir, { maxBatch: 4, maxWaitMs: 1 });
    const first = host.current;
    const nextDir = copyModel({ version: '0.2.0-reloaded' });
    const calls: { version: string; started: number; ended: number }[] = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        const started = performance.now();
        const out = await host.runTask('device_labels', inputs, { deadlineMs: 30_000 });
        calls.push({ version: out.model.version, started, ended: performance.now() });
      }
    };
    const clients = Array.from({ length: 6 }, client);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reloadStarted = performance.now();
    const swapped = await host.reload(nextDir);
    const reloadEnded = performance.now();
    while (calls.filter((c) => c.started > reloadEnded).length < 6)
      await new Promise((resolve) => setTimeout(resolve, 10));
    stop = true;
    await Promise.all(clients);
    expect(swapped).toEqual({
      previous: { name: 'radflow-tiny-random', version: '0.1.0' },
      current: { name: 'radflow-tiny-random', version: '0.2.0-reloaded' },
    });
    // Requests were in flight across the swap (Promise.all would have thrown on any failure).
    expect(calls.some((c) => c.version === '0.1.0' && c.ended > reloadStarted)).toBe(true);
    expect(calls.filter((c) => c.started > reloadEnded).every((c) => c.version === '0.2.0-reloaded')).toBe(
      true,
    );
    await host.settled();
    expect(first.isReleased).toBe(true);
    expect((await host.runTask('device_labels', inputs, { deadlineMs: 10_000 })).model.version).toBe(
      '0.2.0-reloaded',
    );
    await host.close();
    rmSync(nextDir, { recursive: true, force: true });
  });

  it('keeps serving the old model when the new one fails to load', async () => {
    const host = await ModelHost.start(tinyModelDir, {});
    await expect(host.reload('/nonexistent-model-dir')).rejects.toBeInstanceOf(ModelLoadError);
    expect(host.model.version).toBe('0.1.0');
    expect((await host.runTask('device_labels', inputs, { deadlineMs: 10_000 })).parseError).toBeNull();
    await host.close();
  });
});
