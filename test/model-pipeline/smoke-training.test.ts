import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ActiveBatch,
  DecoderRunner,
  ModelHost,
  Sequence,
  TextTokenizer,
  createDecoderSession,
  readDecoderConfig,
  readManifest,
  silentLogger,
} from '@radflow/model-runtime';

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

interface Parity {
  maxNewTokens: number;
  cases: { promptIds: number[]; generatedIds: number[] }[];
}

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
    const parity = JSON.parse(readFileSync(join(modelDir, 'parity.json'), 'utf8')) as Parity;
    const manifest = readManifest(modelDir);
    const config = readDecoderConfig(modelDir, manifest.config);
    const tokenizer = TextTokenizer.load(modelDir, manifest, config.eosTokenIds, config.padTokenId);
    const { session, signature } = await createDecoderSession(
      modelDir,
      join(modelDir, manifest.onnx.model),
      config,
      { providers: ['cpu'], threads: 1 },
      silentLogger,
    );
    const sequences = parity.cases.map((c) => new Sequence(c.promptIds, parity.maxNewTokens));
    const batch = new ActiveBatch(new DecoderRunner(session, signature, tokenizer.padId), new Set());
    await batch.admit(sequences);
    while (batch.size > 0) await batch.step();
    expect(sequences.map((s) => s.tokens)).toEqual(parity.cases.map((c) => c.generatedIds));
  });
});
