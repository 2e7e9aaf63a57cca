import { describe, expect, it } from 'vitest';
import { ActiveBatch, Sequence } from './active-batch.ts';
import { DecoderRunner } from './decoder-runner.ts';
import { greedyIds, openDecoder } from './testing/open-decoder.ts';
import { tinyModelDir } from './testing/tiny-model.ts';

// parity.json holds PyTorch's greedy ids (KV cache, exactly maxNewTokens tokens, no stop) for fixed prompts.
const { parity, config, tokenizer, session, signature, runner } = await openDecoder(tinyModelDir);
const greedy = (prompts: number[][], using = runner) => greedyIds(using, prompts, parity.maxNewTokens);

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
