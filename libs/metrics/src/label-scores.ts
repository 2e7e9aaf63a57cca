/**
 * Multi-label precision / recall / F1 per label with micro and macro averages.
 *
 * Uncertain mentions ("possible pneumonia") must be handled on purpose:
 * - 'positive' (default): uncertain counts as present, on both sides. A worklist safety net should not hide a
 *   possible finding, and this is CheXpert's "U-Ones" convention.
 * - 'negative': uncertain counts as absent ("U-Zeros").
 * - 'exclude': a (report, label) cell where either side is uncertain is left out of that label's counts.
 */
export type LabelValue = 'present' | 'absent' | 'uncertain';
export type UncertainPolicy = 'positive' | 'negative' | 'exclude';
export const DEFAULT_UNCERTAIN_POLICY: UncertainPolicy = 'positive';

/** Label values of one report; a label that is missing is absent. */
export type LabelAssignment =
  ReadonlyMap<string, LabelValue> | Readonly<Record<string, LabelValue | undefined>>;

export interface LabelPair {
  gold: LabelAssignment;
  predicted: LabelAssignment;
}

export interface LabelCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface LabelScore extends LabelCounts {
  label: string;
  /** Reports where the gold standard has the label (after the uncertain policy). */
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface LabelReport {
  perLabel: LabelScore[];
  micro: { precision: number; recall: number; f1: number } & LabelCounts;
  /** Mean over labels with support > 0 (a label nobody has would give an undefined recall). */
  macro: { precision: number; recall: number; f1: number; labels: number };
  uncertain: UncertainPolicy;
  reports: number;
}

export interface LabelScoreOptions {
  uncertain?: UncertainPolicy;
}

function valueOf(assignment: LabelAssignment, label: string): LabelValue {
  if (assignment instanceof Map) return assignment.get(label) ?? 'absent';
  return (assignment as Readonly<Record<string, LabelValue | undefined>>)[label] ?? 'absent';
}

/** true/false, or null when the cell is excluded. */
function asBinary(value: LabelValue, policy: UncertainPolicy): boolean | null {
  if (value === 'present') return true;
  if (value === 'absent') return false;
  if (policy === 'positive') return true;
  if (policy === 'negative') return false;
  return null;
}

/** Safe ratio: 0 when the denominator is 0 (scikit-learn's zero_division=0). */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function f1Of(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** Per-label counts over the reports at `indices` (all reports by default). */
export function countLabels(
  pairs: readonly LabelPair[],
  labels: readonly string[],
  options: LabelScoreOptions = {},
  indices?: ArrayLike<number>,
): LabelCounts[] {
  const policy = options.uncertain ?? DEFAULT_UNCERTAIN_POLICY;
  const counts = labels.map(() => ({ tp: 0, fp: 0, fn: 0, tn: 0 }));
  const n = indices ? indices.length : pairs.length;
  for (let k = 0; k < n; k++) {
    const pair = pairs[indices ? indices[k]! : k]!;
    labels.forEach((label, j) => {
      const gold = asBinary(valueOf(pair.gold, label), policy);
      const predicted = asBinary(valueOf(pair.predicted, label), policy);
      if (gold === null || predicted === null) return;
      const c = counts[j]!;
      if (gold && predicted) c.tp++;
      else if (predicted) c.fp++;
      else if (gold) c.fn++;
      else c.tn++;
    });
  }
  return counts;
}

export function summariseCounts(
  labels: readonly string[],
  counts: readonly LabelCounts[],
  policy: UncertainPolicy,
  reports: number,
): LabelReport {
  const perLabel = labels.map((label, j): LabelScore => {
    const c = counts[j]!;
    const precision = ratio(c.tp, c.tp + c.fp);
    const recall = ratio(c.tp, c.tp + c.fn);
    return { label, ...c, support: c.tp + c.fn, precision, recall, f1: f1Of(precision, recall) };
  });
  const pooled = counts.reduce(
    (a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, fn: a.fn + c.fn, tn: a.tn + c.tn }),
    { tp: 0, fp: 0, fn: 0, tn: 0 },
  );
  const microPrecision = ratio(pooled.tp, pooled.tp + pooled.fp);
  const microRecall = ratio(pooled.tp, pooled.tp + pooled.fn);
  const occurring = perLabel.filter((s) => s.support > 0);
  const mean = (pick: (s: LabelScore) => number) =>
    ratio(
      occurring.reduce((a, s) => a + pick(s), 0),
      occurring.length,
    );
  return {
    perLabel,
    micro: {
      ...pooled,
      precision: microPrecision,
      recall: microRecall,
      f1: f1Of(microPrecision, microRecall),
    },
    macro: {
      precision: mean((s) => s.precision),
      recall: mean((s) => s.recall),
      f1: mean((s) => s.f1),
      labels: occurring.length,
    },
    uncertain: policy,
    reports,
  };
}

/** Precision, recall and F1 per label, micro and macro, over all report pairs. */
export function scoreLabels(
  pairs: readonly LabelPair[],
  labels: readonly string[],
  options: LabelScoreOptions = {},
): LabelReport {
  const policy = options.uncertain ?? DEFAULT_UNCERTAIN_POLICY;
  return summariseCounts(labels, countLabels(pairs, labels, options), policy, pairs.length);
}
