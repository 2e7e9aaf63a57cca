import { describe, expect, it } from 'vitest';
import { lengthGroups } from './active-batch.ts';

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
