import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelHandle } from './model-handle.ts';

// The trained model answers this question in two tokens ("No.") and stops: a real end-of-text to suppress.
const shippedModel = fileURLToPath(new URL('../../../models/radflow-cxr-small/', import.meta.url));
const model = await ModelHandle.load(shippedModel, { maxBatch: 4, maxWaitMs: 5 });
afterAll(() => model.drainAndRelease());
const prompt = model.prompt('qa_comprehension', {
  report: 'FINDINGS: Left lower lobe consolidation. No pneumothorax.',
  question: 'Is there a pneumothorax?',
});

describe('minNewTokens on radflow-cxr-small (real ONNX Runtime)', () => {
  it('keeps decoding past the natural end-of-text, the answer up to it unchanged', async () => {
    const natural = await model.generate(prompt, { deadlineMs: 10_000, maxNewTokens: 40 });
    const forced = await model.generate(prompt, { deadlineMs: 10_000, maxNewTokens: 40, minNewTokens: 12 });
    expect(natural.stopReason).toBe('end_of_text');
    expect(natural.tokenIds.length).toBeLessThan(12);
    expect(forced.tokenIds.length).toBeGreaterThanOrEqual(12);
    expect(forced.tokenIds.slice(0, natural.tokenIds.length)).toEqual(natural.tokenIds);
    for (const id of forced.tokenIds) expect(model.tokenizer.stopIds.has(id)).toBe(false);
  });

  it('is capped by the answer budget', async () => {
    const out = await model.generate(prompt, { deadlineMs: 10_000, maxNewTokens: 8, minNewTokens: 12 });
    expect(out.tokenIds).toHaveLength(8);
    expect(out.stopReason).toBe('max_new_tokens');
  });
});
