import { describe, expect, it } from 'vitest';
import { greedy, lengthGroups } from './active-batch.ts';

const prompt = (length: number) => ({ promptIds: Array.from({ length }, () => 7) });

describe('lengthGroups', () => {
  it('keeps similar lengths together and separates ones whose padding would waste compute', () => {
    const groups = lengthGroups([prompt(44), prompt(133), prompt(116), prompt(49), prompt(109), prompt(53)]);
    expect(groups.map((g) => g.map((p) => p.promptIds.length))).toEqual([
      [133, 116, 109],
      [53, 49, 44],
    ]);
  });

  it('puts every prompt in exactly one group, longest first', () => {
    const lengths = [5, 300, 12, 12, 80, 81, 1];
    const groups = lengthGroups(lengths.map(prompt));
    expect(groups.flat().map((p) => p.promptIds.length)).toEqual([...lengths].sort((a, b) => b - a));
    for (const group of groups) {
      const longest = group[0]?.promptIds.length ?? 0;
      const real = group.reduce((n, p) => n + p.promptIds.length, 0);
      expect(group.length === 1 || longest * group.length <= 1.25 * real).toBe(true);
    }
  });
});

describe('greedy', () => {
  // Two rows over a five-token vocabulary; token 0 plays end-of-text.
  const logits = { vocab: 5, data: Float32Array.from([9, 1, 7, 7, 2, 0, 3, 3, 8, 8]) };

  it('takes the highest logit, ties going to the lower id', () => {
    expect(greedy(logits, 0)).toBe(0);
    expect(greedy(logits, 1)).toBe(3);
  });

  it('never chooses a banned id while another is left (min_new_tokens)', () => {
    expect(greedy(logits, 0, undefined, new Set([0]))).toBe(2);
    expect(greedy(logits, 0, [0, 4], new Set([0]))).toBe(4);
    expect(greedy(logits, 1, undefined, new Set([0]))).toBe(3);
  });

  it('keeps a banned id when the allowed ids leave nothing else', () => {
    expect(greedy(logits, 0, [0], new Set([0]))).toBe(0);
  });
});
