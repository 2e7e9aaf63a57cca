import type { EnrichedLabel, RuleLabelCall } from './types.ts';

export interface MergedLabels {
  labels: EnrichedLabel[];
  disagreements: {
    label: string;
    model: 'present' | 'absent' | 'uncertain';
    rules: 'present' | 'absent' | 'uncertain';
  }[];
}

/** Whose labels the enrichment emits; the other source's differing calls are always kept as disagreements. */
export type LabelSource = 'rules' | 'rules-then-model';

/**
 * One entry per label found present or uncertain. `rules` (the default): the rule labeler's calls only; the model's
 * label answers are the weaker source today (radflow-cxr 0.3.0 on the validation split, micro-F1 against NegBio:
 * model 65.4, rules 92.7, rules-then-model 85.2, the old union 79.2), so they stay a second opinion. `rules-then-model`
 * (for a stronger model): where the report names a label the rules' reading of it decides (negation and hedging are
 * what rules read reliably); the model's present call fills in labels the report never names in the rules' words.
 * Every disagreement is recorded, so a radiologist and the retrainer still see what the model said.
 */
export function mergeLabelCalls(
  modelPresent: string[] | undefined,
  rules: RuleLabelCall[],
  source: LabelSource = 'rules',
): MergedLabels {
  const ruleCall = new Map(rules.map((call) => [call.label, call]));
  const labels: EnrichedLabel[] = [];
  const disagreements: MergedLabels['disagreements'] = [];
  const modelSet = new Set(modelPresent ?? []);
  const taken = new Set<string>();
  for (const label of modelSet) {
    const call = ruleCall.get(label);
    const modelDecides =
      source === 'rules-then-model' && (!call || (call.state === 'absent' && call.mentioned === false));
    // Where both say present the label is the model's too: the draft and the rules agree.
    if (modelDecides || call?.state === 'present') {
      labels.push({ label, state: 'present', source: 'model' });
      taken.add(label);
    }
  }
  for (const call of rules) {
    if (call.state !== 'absent' && !taken.has(call.label))
      labels.push({ label: call.label, state: call.state, source: 'rules' });
  }
  if (!modelPresent) return { labels, disagreements };
  for (const label of new Set([...modelSet, ...ruleCall.keys()])) {
    const model = modelSet.has(label) ? 'present' : 'absent';
    const rule = ruleCall.get(label)?.state ?? 'absent';
    if (model !== rule) disagreements.push({ label, model, rules: rule });
  }
  return { labels, disagreements };
}
