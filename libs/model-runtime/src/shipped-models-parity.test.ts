import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ActiveBatch, Sequence } from './active-batch.ts';
import { readDecoderConfig } from './decoder-config.ts';
import { DecoderRunner } from './decoder-runner.ts';
import { createDecoderSession } from './decoder-session.ts';
import { silentLogger } from './logger.ts';
import { MANIFEST_FILE, readManifest } from './manifest.ts';
import { TextTokenizer } from './text-tokenizer.ts';
import { readParity } from './testing/tiny-model.ts';

// Every model shipped in models/ with a parity.json (PyTorch's greedy ids at export) must decode to the same ids here.
const modelsDir = fileURLToPath(new URL('../../../models/', import.meta.url));
const shipped = readdirSync(modelsDir)
  .map((name) => join(modelsDir, name))
  .filter((dir) => existsSync(join(dir, MANIFEST_FILE)) && existsSync(join(dir, 'parity.json')));

describe.each(shipped)('parity with PyTorch: %s', (dir) => {
  it('tokenizes alike and reproduces the greedy ids alone and as one batch', async () => {
    const parity = readParity(dir);
    const manifest = readManifest(dir);
    const config = readDecoderConfig(dir, manifest.config);
    const tokenizer = TextTokenizer.load(dir, manifest, config.eosTokenIds, config.padTokenId);
    const onnx = join(dir, manifest.onnx.model);
    const { session, signature } = await createDecoderSession(
      dir,
      onnx,
      config,
      { providers: ['cpu'], threads: 1 },
      silentLogger,
    );
    const runner = new DecoderRunner(session, signature, tokenizer.padId, config.vocabSize);
    const greedy = async (prompts: number[][]) => {
      const batch = new ActiveBatch(runner, new Set());
      const sequences = prompts.map((ids) => new Sequence(ids, parity.maxNewTokens));
      await batch.admit(sequences);
      while (batch.size > 0) await batch.step();
      return sequences.map((s) => s.tokens);
    };
    for (const item of parity.cases) {
      expect(tokenizer.encode(item.prompt)).toEqual(item.promptIds);
      expect(await greedy([item.promptIds])).toEqual([item.generatedIds]);
    }
    expect(await greedy(parity.cases.map((c) => c.promptIds))).toEqual(
      parity.cases.map((c) => c.generatedIds),
    );
    await session.release();
  });
});

it('finds the shipped models', () => {
  const names = shipped.map((dir) => dir.split('/').at(-1));
  for (const name of ['tiny-random', 'tiny-phi-optimum', 'radflow-cxr-small']) expect(names).toContain(name);
});
