import type { EnrichedLabel, RuleLabelCall } from './types.ts';

export interface MergedLabels {
  labels: EnrichedLabel[];
  disagreements: {
    label: string;
    model: 'present' | 'absent' | 'uncertain';
    rules: 'present' | 'absent' | 'uncertain';
  }[];
}

/**
 * One entry per label that either the model or the rules found (present or uncertain). The model's call wins
 * when it has one; the rules fill in what it left out (uncertain findings, labels the model missed), so a
 * radiologist sees everything either source raised, and every disagreement is recorded.
 */
export function mergeLabelCalls(modelPresent: string[] | undefined, rules: RuleLabelCall[]): MergedLabels {
  const ruleState = new Map(rules.map((call) => [call.label, call.state]));
  const labels: EnrichedLabel[] = [];
  const disagreements: MergedLabels['disagreements'] = [];
  if (modelPresent) {
    const modelSet = new Set(modelPresent);
    for (const label of modelPresent) labels.push({ label, state: 'present', source: 'model' });
    for (const call of rules) {
      if (call.state === 'absent' || modelSet.has(call.label)) continue;
      labels.push({ label: call.label, state: call.state, source: 'rules' });
    }
    for (const label of new Set([...modelSet, ...ruleState.keys()])) {
      const model = modelSet.has(label) ? 'present' : 'absent';
      const rule = ruleState.get(label) ?? 'absent';
      if (model !== rule) disagreements.push({ label, model, rules: rule });
    }
  } else {
    for (const call of rules)
      if (call.state !== 'absent') labels.push({ label: call.label, state: call.state, source: 'rules' });
  }
  return { labels, disagreements };
}
