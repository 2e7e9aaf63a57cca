import type { LabelState } from '@radflow/schemas';
import type { RuleLabelCall } from './types.ts';

export interface LabelChange {
  label: string;
  before: LabelState;
  after: LabelState;
}

/** Labels whose state differs between the prior report and this one (unlisted labels count as absent). */
export function diffRuleLabels(prior: RuleLabelCall[], current: RuleLabelCall[]): LabelChange[] {
  const before = new Map(prior.map((call) => [call.label, call.state]));
  const after = new Map(current.map((call) => [call.label, call.state]));
  const changes: LabelChange[] = [];
  for (const label of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(label) ?? 'absent';
    const now = after.get(label) ?? 'absent';
    if (was !== now) changes.push({ label, before: was, after: now });
  }
  return changes.sort((a, b) => a.label.localeCompare(b.label));
}
