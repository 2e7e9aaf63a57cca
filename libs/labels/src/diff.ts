import type { LabelResult, LabelState } from './labeler.ts';

export interface LabelChange {
  label: string;
  before: LabelState;
  after: LabelState;
}

export interface LabelDiff {
  /** Absent (or not named) in the prior report, present in the current one. */
  added: string[];
  /** Present in the prior report, absent in the current one. */
  removed: string[];
  /** Every label whose state moved, uncertain ones included (the schema's labelDiff). */
  changed: LabelChange[];
  /** Present in both. */
  persistent: string[];
}

type Labels = readonly Pick<LabelResult, 'label' | 'state'>[] | ReadonlyMap<string, LabelState>;

function asMap(labels: Labels): ReadonlyMap<string, LabelState> {
  return labels instanceof Map
    ? labels
    : new Map((labels as readonly Pick<LabelResult, 'label' | 'state'>[]).map((l) => [l.label, l.state]));
}

/**
 * Label-level temporal diff of a report against its patient's prior report. A label missing on one side is
 * absent there. Order follows the current labels, then labels only the prior has.
 */
export function diffLabels(prior: Labels, current: Labels): LabelDiff {
  const before = asMap(prior);
  const after = asMap(current);
  const labels = [...new Set([...after.keys(), ...before.keys()])];
  const diff: LabelDiff = { added: [], removed: [], changed: [], persistent: [] };
  for (const label of labels) {
    const b = before.get(label) ?? 'absent';
    const a = after.get(label) ?? 'absent';
    if (a === b) {
      if (a === 'present') diff.persistent.push(label);
      continue;
    }
    diff.changed.push({ label, before: b, after: a });
    if (b === 'absent' && a === 'present') diff.added.push(label);
    if (b === 'present' && a === 'absent') diff.removed.push(label);
  }
  return diff;
}
