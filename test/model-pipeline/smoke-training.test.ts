import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelHost, readManifest } from '@radflow/model-runtime';
import { greedyIds, openDecoder } from '@radflow/model-runtime/testing';

// The whole model pipeline in a few steps, so it cannot rot: Open-i data → tokenizer → stage 1 → stage 2 →
// ONNX export (Python, PyTorch on CPU) → loaded by the TypeScript runtime → generation and PyTorch parity.
const smokeScript = fileURLToPath(new URL('../../models/training/smoke.sh', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'radflow-smoke-'));
const printed = execFileSync('sh', [smokeScript, outDir], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  timeout: 600_000,
});
const modelDir = printed.trim().split('\n').at(-1)!;
let host: ModelHost | undefined;

afterAll(async () => host?.close());

describe('smoke training, end to end', () => {
  it('exports a model directory the TypeScript runtime loads and generates with', async () => {
    const manifest = readManifest(modelDir);
    host = await ModelHost.start(modelDir, { threads: 1 });
    expect(host.model).toEqual({ name: manifest.name, version: manifest.version });
    const answer = await host.runTask(
      'impression',
      { findings: 'The heart is normal in size. The lungs are clear.' },
      { deadlineMs: 60_000 },
    );
    expect(answer.usage.generatedTokens).toBeGreaterThan(0);
    expect(answer.model.name).toBe(manifest.name);
    const labels = await host.runTask(
      'abnormality_labels',
      { report: 'FINDINGS: Small left pleural effusion.' },
      { deadlineMs: 60_000 },
    );
    // Constrained decoding: whatever the few-step model says is inside the vocabulary.
    expect(labels.parseError).toBeNull();
  });

  it("reproduces PyTorch's greedy token ids exactly", async () => {
    const { parity, runner, session } = await openDecoder(modelDir);
    const ids = await greedyIds(
      runner,
      parity.cases.map((c) => c.promptIds),
      parity.maxNewTokens,
    );
    await session.release();
    expect(ids).toEqual(parity.cases.map((c) => c.generatedIds));
  });
});
