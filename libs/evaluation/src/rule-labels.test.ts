import { describe, expect, it } from 'vitest';
import {
  enricherLabelStates,
  ruleAbnormalityCalls,
  ruleCallStates,
  ruleDeviceStates,
} from './rule-labels.ts';

describe('rule labels', () => {
  const report = {
    findings: 'The heart is enlarged. No pleural effusion. Right PICC in place.',
    impression: '',
  };

  it('reads the rule labeler calls and device states of a report', () => {
    const calls = ruleAbnormalityCalls(report);
    expect(ruleCallStates(calls)).toMatchObject({ cardiomegaly: 'present', 'pleural effusion': 'absent' });
    expect(calls.find((c) => c.label === 'pleural effusion')!.mentioned).toBe(true);
    expect(ruleDeviceStates(report)).toMatchObject({ picc: 'present' });
  });

  it('merges the model with the rules as the enricher does: the rules decide what they read', () => {
    const calls = ruleAbnormalityCalls(report);
    const merged = enricherLabelStates(['pleural effusion', 'edema'], calls, 'rules');
    expect(merged).toEqual({ cardiomegaly: 'present' });
    expect(enricherLabelStates(['edema'], calls, 'rules-then-model')['edema']).toBe('present');
  });
});
