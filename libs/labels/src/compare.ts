import type { LabelResult, LabelState } from './labeler.ts';

export interface LabelDisagreement {
  label: string;
  model: LabelState;
  rules: LabelState;
  /** model-only: the model has it and the rules do not; rules-only: the reverse; hedged: one side is uncertain. */
  kind: 'model-only' | 'rules-only' | 'hedged';
}

export interface LabelComparison {
  disagreements: LabelDisagreement[];
  /** Labels on which both agree (either both present, both uncertain, or both absent). */
  agreed: number;
}

/** The model's labels: the ids it wrote (present), or states per label. */
export type ModelLabels = Iterable<string> | ReadonlyMap<string, LabelState>;

/**
 * Where the model and the rule labeler disagree, over the given vocabulary. Recorded beside each enrichment so a
 * radiologist (and the retrainer) can see the second opinion; neither side is assumed right.
 */
export function compareLabelSets(
  model: ModelLabels,
  rules: readonly Pick<LabelResult, 'label' | 'state'>[],
  vocabulary?: readonly string[],
): LabelComparison {
  const modelStates: ReadonlyMap<string, LabelState> =
    model instanceof Map
      ? model
      : new Map([...(model as Iterable<string>)].map((label) => [label, 'present' as const]));
  const ruleStates = new Map(rules.map((r) => [r.label, r.state]));
  const labels = vocabulary ?? [...new Set([...ruleStates.keys(), ...modelStates.keys()])];
  const disagreements: LabelDisagreement[] = [];
  let agreed = 0;
  for (const label of labels) {
    const m = modelStates.get(label) ?? 'absent';
    const r = ruleStates.get(label) ?? 'absent';
    if (m === r) {
      agreed++;
      continue;
    }
    const kind =
      m === 'uncertain' || r === 'uncertain' ? 'hedged' : m === 'present' ? 'model-only' : 'rules-only';
    disagreements.push({ label, model: m, rules: r, kind });
  }
  return { disagreements, agreed };
}
