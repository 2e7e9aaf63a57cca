import { describe, expect, it } from 'vitest';
import { ActiveBatch, Sequence } from './active-batch.ts';
import { readDecoderConfig } from './decoder-config.ts';
import { DecoderRunner } from './decoder-runner.ts';
import { createDecoderSession } from './decoder-session.ts';
import { silentLogger } from './logger.ts';
import { readManifest } from './manifest.ts';
import { TextTokenizer } from './text-tokenizer.ts';
import { readParity, tinyModelDir } from './testing/tiny-model.ts';

// parity.json holds PyTorch's greedy ids (KV cache, exactly maxNewTokens tokens, no stop) for fixed prompts.
const parity = readParity();
const manifest = readManifest(tinyModelDir);
const config = readDecoderConfig(tinyModelDir, manifest.config);
const tokenizer = TextTokenizer.load(tinyModelDir, manifest, config.eosTokenIds, config.padTokenId);
const { session, signature } = await createDecoderSession(
  tinyModelDir,
  `${tinyModelDir}/${manifest.onnx.model}`,
  config,
  { providers: ['cpu'], threads: 1 },
  silentLogger,
);
const runner = new DecoderRunner(session, signature, tokenizer.padId);

async function greedy(prompts: number[][], using = runner): Promise<number[][]> {
  const batch = new ActiveBatch(using, new Set());
  const sequences = prompts.map((ids) => new Sequence(ids, parity.maxNewTokens));
  await batch.admit(sequences);
  while (batch.size > 0) await batch.step();
  return sequences.map((s) => s.tokens);
}

describe('parity with PyTorch on models/tiny-random', () => {
  it('tokenizes the prompts to the same ids as Python tokenizers', () => {
    for (const item of parity.cases) expect(tokenizer.encode(item.prompt)).toEqual(item.promptIds);
  });

  it('reproduces the greedy ids of every prompt alone', async () => {
    for (const item of parity.cases) expect(await greedy([item.promptIds])).toEqual([item.generatedIds]);
  });

  it('reproduces them for all prompts as one left-padded batch', async () => {
    expect(await greedy(parity.cases.map((c) => c.promptIds))).toEqual(
      parity.cases.map((c) => c.generatedIds),
    );
  });

  it('reproduces them when long prompts are prefilled in chunks over the cache', async () => {
    // Room for 7 positions of logits per row: every prompt is prefilled in chunks of 7 tokens.
    const chunked = new DecoderRunner(
      session,
      signature,
      tokenizer.padId,
      config.vocabSize,
      7 * parity.cases.length * config.vocabSize,
    );
    expect(
      await greedy(
        parity.cases.map((c) => c.promptIds),
        chunked,
      ),
    ).toEqual(parity.cases.map((c) => c.generatedIds));
  });

  it('reproduces them when sequences join a running batch (continuous batching)', async () => {
    const batch = new ActiveBatch(runner, new Set());
    const [first, ...rest] = parity.cases.map((c) => new Sequence(c.promptIds, parity.maxNewTokens));
    await batch.admit([first as Sequence]);
    for (let i = 0; i < 5; i += 1) await batch.step();
    await batch.admit(rest);
    while (batch.size > 0) await batch.step();
    expect([first, ...rest].map((s) => s?.tokens)).toEqual(parity.cases.map((c) => c.generatedIds));
  });
});
