import { collapseWhitespace } from './whitespace.ts';

export const SUBSETS = ['all', 'normal', 'abnormal'] as const;
export type Subset = (typeof SUBSETS)[number];

/** Row indices of all reports, those the annotators called normal (Problems = "normal"), and the rest. */
export function subsetIndices(rows: readonly { problems: string }[]): Record<Subset, number[]> {
  const all = rows.map((_, i) => i);
  const normal = all.filter((i) => collapseWhitespace(rows[i]!.problems).toLowerCase() === 'normal');
  const normalSet = new Set(normal);
  return { all, normal, abnormal: all.filter((i) => !normalSet.has(i)) };
}

/** How many reports each subset holds. */
export function subsetCounts(subsets: Record<Subset, readonly number[]>): Record<Subset, number> {
  return { all: subsets.all.length, normal: subsets.normal.length, abnormal: subsets.abnormal.length };
}

/** The items at these indices, in index order. */
export function pickIndices<T>(items: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => items[i]!);
}
