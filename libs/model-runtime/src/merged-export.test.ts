import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActiveBatch, Sequence } from './active-batch.ts';
import { DecoderRunner } from './decoder-runner.ts';
import { ModelHandle } from './model-handle.ts';
import { openDecoder } from './testing/open-decoder.ts';

// Two merged decoders (one ONNX file, a use_cache_branch input choosing the no-past or the with-past branch):
// tiny-random re-wrapped by test-fixtures/make_merged_fixture.py, whose no-past branch really drops the past, and a
// random Phi model exported by Hugging Face Optimum itself with legacy=True (models/training/make_tiny_phi.py).
// Only a runtime that sets use_cache_branch right reproduces PyTorch's ids on both.
const fixtures = [
  { fixture: 'merged-tiny', name: 'radflow-tiny-random-merged' },
  { fixture: 'phi-optimum-merged', name: 'radflow-tiny-phi-optimum-merged' },
];

const openFixture = (fixture: string) =>
  openDecoder(fileURLToPath(new URL(`../test-fixtures/${fixture}/`, import.meta.url)));

describe.each(fixtures)(
  "Optimum's merged decoder export (use_cache_branch): $fixture",
  ({ fixture, name }) => {
    let opened: Awaited<ReturnType<typeof openFixture>>;
    beforeAll(async () => {
      opened = await openFixture(fixture);
    });
    afterAll(() => opened.session.release());

    it('is recognised from the session inputs', () => {
      const { signature, config } = opened;
      expect(signature.hasUseCacheBranch).toBe(true);
      expect(signature.numLayers).toBe(config.numLayers);
    });

    it('reproduces the PyTorch greedy ids, alone and batched', async () => {
      const { parity, runner } = opened;
      const sequences = parity.cases.map((c) => new Sequence(c.promptIds, parity.maxNewTokens));
      const batch = new ActiveBatch(runner, new Set());
      await batch.admit(sequences);
      while (batch.size > 0) await batch.step();
      expect(sequences.map((s) => s.tokens)).toEqual(parity.cases.map((c) => c.generatedIds));
    });

    it('reproduces them with a chunked prefill (later chunks take the with-past branch)', async () => {
      const { parity, session, signature, tokenizer, config } = opened;
      const chunked = new DecoderRunner(
        session,
        signature,
        tokenizer.padId,
        config.vocabSize,
        5 * config.vocabSize,
      );
      const sequence = new Sequence(parity.cases[1]?.promptIds as number[], parity.maxNewTokens);
      const batch = new ActiveBatch(chunked, new Set());
      await batch.admit([sequence]);
      while (batch.size > 0) await batch.step();
      expect(sequence.tokens).toEqual(parity.cases[1]?.generatedIds);
    });

    it('fails with the wrong branch flag (the fixture can tell)', async () => {
      const { parity, runner, signature, session, config } = opened;
      const prompt = parity.cases[0]?.promptIds as number[];
      const prefill = await runner.prefill([prompt]);
      const first = parity.cases[0]?.generatedIds[0] as number;
      const feeds = (useCache: boolean): Record<string, ort.Tensor> => ({
        input_ids: new ort.Tensor('int64', BigInt64Array.from([BigInt(first)]), [1, 1]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(prompt.length + 1).fill(1n), [
          1,
          prompt.length + 1,
        ]),
        position_ids: new ort.Tensor('int64', BigInt64Array.from([BigInt(prompt.length)]), [1, 1]),
        use_cache_branch: new ort.Tensor('bool', new Uint8Array([useCache ? 1 : 0]), [1]),
        ...Object.fromEntries(
          signature.pastKeyNames.map((name, i) => [name, prefill.batch.keys[i] as ort.Tensor]),
        ),
        ...Object.fromEntries(
          signature.pastValueNames.map((name, i) => [name, prefill.batch.values[i] as ort.Tensor]),
        ),
      });
      const right = (await session.run(feeds(true))).logits as ort.Tensor;
      expect(right.dims).toEqual([1, 1, config.vocabSize]);
      // The no-past branch drops the cache, so the attention mask no longer matches: the run fails.
      await expect(session.run(feeds(false), { logSeverityLevel: 4 })).rejects.toThrow(/dimension mismatch/);
    });

    it('serves tasks through ModelHandle unchanged', async () => {
      const handle = await ModelHandle.load(opened.dir);
      const out = await handle.runTask(
        'device_labels',
        { report: 'Right PICC and endotracheal tube in place.' },
        { deadlineMs: 10_000 },
      );
      expect(out.model.name).toBe(name);
      expect(out.parseError).toBeNull();
      await handle.drainAndRelease();
    });
  },
);
