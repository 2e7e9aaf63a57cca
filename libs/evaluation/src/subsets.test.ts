import { describe, expect, it } from 'vitest';
import { pickIndices, subsetCounts, subsetIndices } from './subsets.ts';

describe('subsets', () => {
  const rows = ['normal', ' Normal ', 'Cardiomegaly', 'Pleural Effusion', 'normal;Cardiomegaly'].map(
    (problems) => ({
      problems,
    }),
  );

  it('splits normal from abnormal reports by the Problems column', () => {
    const subsets = subsetIndices(rows);
    expect(subsets).toEqual({ all: [0, 1, 2, 3, 4], normal: [0, 1], abnormal: [2, 3, 4] });
    expect(subsetCounts(subsets)).toEqual({ all: 5, normal: 2, abnormal: 3 });
  });

  it('picks items by index', () => {
    expect(pickIndices(['a', 'b', 'c'], [2, 0])).toEqual(['c', 'a']);
  });
});
