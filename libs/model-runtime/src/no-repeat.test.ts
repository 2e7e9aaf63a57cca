import { fileURLToPath } from 'node:url';
import { repeatedNgram } from '@radflow/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelHandle } from './model-handle.ts';

// Open-i report 108's findings: radflow-cxr-small's unguarded greedy impression is "1. No acute disease. 2. No acute
// disease." (found by scanning the first 240 reports; 10 of them repeat a 3-word phrase).
const findings =
  'The heart is normal in size. The mediastinum is Within normal limits the lungs are hypoinflated. There is mild ' +
  "increase in perihilar markings XXXX related to patient's history bronchitis. No acute infiltrate or pleural effusion " +
  'are seen.';
const shippedModel = fileURLToPath(new URL('../../../models/radflow-cxr-small/', import.meta.url));
const model = await ModelHandle.load(shippedModel, { maxBatch: 4, maxWaitMs: 5 });
afterAll(() => model.drainAndRelease());
const prompt = model.prompt('impression', { findings });

describe('no repeated 3-word phrase in impressions (radflow-cxr-small, real ONNX Runtime)', () => {
  it('runTask guards the impression that plain greedy decoding repeats', async () => {
    const plain = await model.generate(prompt, { deadlineMs: 20_000 });
    expect(repeatedNgram(plain.text, 3)).not.toBeNull();
    const drafted = await model.runTask('impression', { findings }, { deadlineMs: 20_000 });
    expect(repeatedNgram(drafted.text, 3)).toBeNull();
    expect(drafted.stopReason).toBe('end_of_text');
    // runTask's answer is generate's with the guard on; up to the first refused token it is plain greedy.
    const guarded = await model.generate(prompt, { deadlineMs: 20_000, noRepeatWordNgram: 3 });
    expect(guarded.text.trim()).toBe(drafted.text);
    const firstRefusal = guarded.tokenIds.findIndex((id, i) => id !== plain.tokenIds[i]);
    expect(firstRefusal).toBeGreaterThan(0);
    expect(guarded.tokenIds.slice(0, firstRefusal)).toEqual(plain.tokenIds.slice(0, firstRefusal));
  });

  it('holds over a long forced answer, where plain greedy decoding loops', async () => {
    const long = { deadlineMs: 20_000, maxNewTokens: 60, minNewTokens: 60 };
    const plain = await model.generate(prompt, long);
    const guarded = await model.generate(prompt, { ...long, noRepeatWordNgram: 3 });
    expect(repeatedNgram(plain.text, 3)).not.toBeNull();
    expect(repeatedNgram(guarded.text, 3)).toBeNull();
    expect(guarded.tokenIds).toHaveLength(60);
  });

  it('leaves answers that do not repeat untouched', async () => {
    const other = model.prompt('impression', { findings: 'Left lower lobe consolidation. No pneumothorax.' });
    const plain = await model.generate(other, { deadlineMs: 20_000 });
    expect(repeatedNgram(plain.text, 3)).toBeNull();
    const guarded = await model.generate(other, { deadlineMs: 20_000, noRepeatWordNgram: 3 });
    expect(guarded.tokenIds).toEqual(plain.tokenIds);
  });
});
