import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { greedyIds, openDecoder } from './testing/open-decoder.ts';

// radflow-cxr is built from the committed adapter and the base from PyPI by `infra/run setup`
// (models/training/build_cxr.py). The ONNX built on this machine must give the greedy ids recorded when the adapter
// was packaged, in onnxruntime-node, through the runtime's own decoding loop.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const built = join(repoRoot, '.cache/models/radflow-cxr');
const recorded = join(repoRoot, 'models/radflow-cxr/parity.json');

interface RecordedCase {
  prompt: string;
  promptIds: number[];
  generatedIds: number[];
  /** The case's adapter when the build routes several per row (its task's, as the manifest says). */
  adapter?: number;
}

describe('radflow-cxr built here', () => {
  it('exists (infra/run setup builds it)', () => {
    expect(existsSync(join(built, 'radflow-model.json')), `${built}: run infra/run setup`).toBe(true);
  });

  it('reproduces the recorded greedy ids (fp32) alone and as one left-padded batch, GQA cache and last-position logits', async () => {
    const want = JSON.parse(readFileSync(recorded, 'utf8')) as {
      maxNewTokens: number;
      cases: RecordedCase[];
    };
    const { tokenizer, runner, session, signature, config, manifest } = await openDecoder(built);
    expect(signature.lastPositionLogits).toBe(true);
    expect(signature.numKeyValueHeads).toBe(3);
    expect(config.numLayers).toBe(30);
    expect(signature.hasAdapterIds).toBe(manifest.adapters !== undefined);
    for (const item of want.cases) {
      expect(tokenizer.encode(item.prompt)).toEqual(item.promptIds);
      const adapters = [item.adapter ?? 0];
      expect(await greedyIds(runner, [item.promptIds], want.maxNewTokens, adapters)).toEqual([
        item.generatedIds,
      ]);
    }
    // One batch mixing the cases (and their adapters, when routed).
    const batch = await greedyIds(
      runner,
      want.cases.map((c) => c.promptIds),
      want.maxNewTokens,
      want.cases.map((c) => c.adapter ?? 0),
    );
    expect(batch).toEqual(want.cases.map((c) => c.generatedIds));
    await session.release();
  }, 120_000);
});
