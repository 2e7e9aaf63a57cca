import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ActiveBatch, Sequence } from './active-batch.ts';
import { ModelLoadError } from './errors.ts';
import { ModelHandle } from './model-handle.ts';
import { openDecoder } from './testing/open-decoder.ts';
import { copyModel } from './testing/tiny-model.ts';

// A tiny random Llama with two random LoRA adapters routed per row (adapter_ids), and PyTorch's greedy ids for each
// parity prompt with each adapter (test-fixtures/make_routed_fixture.py): the adapters change the ids, so feeding a
// row another row's adapter fails these checks.
const routedDir = fileURLToPath(new URL('../test-fixtures/routed-tiny/', import.meta.url));
const { parity, signature, runner } = await openDecoder(routedDir);
const cases = parity.cases as ((typeof parity.cases)[number] & { adapter: number })[];
const sequenceOf = (c: (typeof cases)[number]) =>
  new Sequence(c.promptIds, parity.maxNewTokens, undefined, 0, c.adapter);

describe('LoRA adapters routed per row in one graph', () => {
  it('reads the adapter_ids input from the graph', () => {
    expect(signature.hasAdapterIds).toBe(true);
    expect(new Set(cases.map((c) => c.adapter))).toEqual(new Set([0, 1]));
  });

  it("gives every prompt its adapter's PyTorch ids in one batch that mixes both adapters", async () => {
    const batch = new ActiveBatch(runner, new Set());
    const sequences = cases.map(sequenceOf);
    await batch.admit(sequences);
    while (batch.size > 0) await batch.step();
    expect(sequences.map((s) => s.tokens)).toEqual(cases.map((c) => c.generatedIds));
  });

  it('keeps each row on its adapter when rows of the other adapter join and leave the batch', async () => {
    const batch = new ActiveBatch(runner, new Set());
    const [first, ...rest] = [...cases].reverse().map(sequenceOf);
    await batch.admit([first as Sequence]);
    for (let i = 0; i < 4; i += 1) await batch.step();
    await batch.admit(rest);
    while (batch.size > 0) await batch.step();
    expect([first, ...rest].map((s) => s?.tokens)).toEqual([...cases].reverse().map((c) => c.generatedIds));
  });

  it('answers each task with the adapter the manifest names for it', async () => {
    const handle = await ModelHandle.load(routedDir, { threads: 1 });
    try {
      expect(handle.adapterFor('abnormality_labels')).toBe(1);
      expect(handle.adapterFor('impression')).toBe(0);
      const outputs = await Promise.all(
        cases.map((c) =>
          handle.generate(c.prompt, {
            deadlineMs: 30_000,
            adapter: c.adapter,
            maxNewTokens: parity.maxNewTokens,
            minNewTokens: parity.maxNewTokens,
          }),
        ),
      );
      expect(outputs.map((o) => o.tokenIds)).toEqual(cases.map((c) => c.generatedIds));
    } finally {
      await handle.drainAndRelease();
    }
  });

  it('refuses a routed graph whose manifest names no adapters, and an adapter index out of range', async () => {
    await expect(ModelHandle.load(copyModel({ adapters: undefined }, routedDir))).rejects.toThrow(
      /routes adapters per row .* names no "adapters"/,
    );
    await expect(
      ModelHandle.load(copyModel({ adapters: { names: ['general'], tasks: { impression: 1 } } }, routedDir)),
    ).rejects.toBeInstanceOf(ModelLoadError);
  });
});
