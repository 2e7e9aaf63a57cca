import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MANIFEST_FILE } from './manifest.ts';
import { greedyIds, openDecoder } from './testing/open-decoder.ts';

// Every model shipped in models/ with a parity.json (PyTorch's greedy ids at export) must decode to the same ids here.
const modelsDir = fileURLToPath(new URL('../../../models/', import.meta.url));
const shipped = readdirSync(modelsDir)
  .map((name) => join(modelsDir, name))
  .filter((dir) => existsSync(join(dir, MANIFEST_FILE)) && existsSync(join(dir, 'parity.json')));

describe.each(shipped)('parity with PyTorch: %s', (dir) => {
  it('tokenizes alike and reproduces the greedy ids alone and as one batch', async () => {
    const { parity, tokenizer, runner, session } = await openDecoder(dir);
    const greedy = (prompts: number[][]) => greedyIds(runner, prompts, parity.maxNewTokens);
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
