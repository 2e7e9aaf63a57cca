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
    const served: string[] = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        const out = await host.runTask('device_labels', inputs, { deadlineMs: 10_000 });
        served.push(out.model.version);
      }
    };
    const clients = Array.from({ length: 6 }, client);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const swapped = await host.reload(nextDir);
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop = true;
    await Promise.all(clients);
    expect(swapped).toEqual({ previous: { name: 'radflow-tiny-random', version: '0.1.0' }, current: { name: 'radflow-tiny-random', version: '0.2.0-reloaded' } });
    expect(served).toContain('0.1.0');
    expect(served).toContain('0.2.0-reloaded');
    expect(served.at(-1)).toBe('0.2.0-reloaded');
    await host.settled();
    expect(first.isReleased).toBe(true);
    expect((await host.runTask('device_labels', inputs, { deadlineMs: 10_000 })).model.version).toBe('0.2.0-reloaded');
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
