import { fileURLToPath } from 'node:url';
import { TASK_NAMES, taskCatalog } from '@radflow/prompts';
import { afterAll, describe, expect, it } from 'vitest';
import { readDecoderConfig } from './decoder-config.ts';
import { createDecoderSession } from './decoder-session.ts';
import { silentLogger } from './logger.ts';
import { ModelHandle } from './model-handle.ts';
import { sampleTaskInputs } from './testing/open-decoder.ts';

// models/tiny-phi-optimum: a random PhiForCausalLM exported by Hugging Face Optimum itself
// (models/training/make_tiny_phi.py). Its ONNX file and config.json are Optimum's and transformers', unchanged.
const phiDir = fileURLToPath(new URL('../../../models/tiny-phi-optimum/', import.meta.url));
const batched = await ModelHandle.load(phiDir, { maxBatch: 8, maxWaitMs: 20 });
const single = await ModelHandle.load(phiDir, { maxBatch: 1, maxWaitMs: 0 });
afterAll(async () => {
  await batched.drainAndRelease();
  await single.drainAndRelease();
});

const inputs = sampleTaskInputs;

describe('a real Optimum export of the Phi architecture (text-generation-with-past), loaded unchanged', () => {
  it("reads Optimum's decoder-with-past signature and transformers' Phi config", async () => {
    const config = readDecoderConfig(phiDir, 'config.json');
    expect(config).toMatchObject({ numLayers: 2, numKeyValueHeads: 4, headDim: 8, vocabSize: 512 });
    const { session, signature } = await createDecoderSession(
      phiDir,
      `${phiDir}/model.onnx`,
      config,
      { providers: ['cpu'], threads: 1 },
      silentLogger,
    );
    expect(signature).toMatchObject({
      numLayers: 2,
      hasPositionIds: true,
      hasUseCacheBranch: false,
      lastPositionLogits: false,
      kvType: 'float32',
      pastKeyNames: ['past_key_values.0.key', 'past_key_values.1.key'],
      presentValueNames: ['present.0.value', 'present.1.value'],
    });
    await session.release();
  });

  it('answers every task, label tasks inside their vocabulary, the same batched as alone', async () => {
    const together = await Promise.all(
      TASK_NAMES.map((task) => batched.runTask(task, inputs, { deadlineMs: 10_000, maxNewTokens: 16 })),
    );
    for (const [index, task] of TASK_NAMES.entries()) {
      const out = together[index]!;
      expect(out.model).toEqual({ name: 'radflow-tiny-phi-optimum', version: '0.1.0' });
      if (taskCatalog.tasks[task].answer === 'labels') {
        expect(out.parseError).toBeNull();
        const ids = taskCatalog.tasks[task].vocabulary?.ids ?? [];
        for (const label of out.answer?.format === 'labels' ? out.answer.labels : [])
          expect(ids).toContain(label);
      }
      const alone = await single.runTask(task, inputs, { deadlineMs: 10_000, maxNewTokens: 16 });
      expect(out.text).toBe(alone.text);
    }
  });
});
