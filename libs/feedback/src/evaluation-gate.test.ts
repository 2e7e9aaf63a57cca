import { describe, expect, it } from 'vitest';
import { rougeL } from '@radflow/metrics';
import {
  evaluationGate,
  DEFAULT_GATE_POLICY,
  type EvaluationSetOutputs,
  type GatePolicy,
} from './evaluation-gate.ts';

const references = [
  'No acute cardiopulmonary abnormality.',
  'Mild cardiomegaly without edema.',
  'Small left pleural effusion.',
  'Right lower lobe pneumonia.',
  'Stable granuloma in the right upper lobe.',
  'No pneumothorax after chest tube removal.',
  'Low lung volumes with bibasilar atelectasis.',
  'Hyperinflated lungs consistent with emphysema.',
  'Endotracheal tube 4 cm above the carina.',
  'Cardiomegaly with pulmonary vascular congestion.',
  'Degenerative changes of the thoracic spine.',
  'Left upper lobe nodule, recommend CT.',
];
const labelIds = ['cardiomegaly', 'pleural effusion', 'pneumonia', 'atelectasis'];
const gold = references.map((r) => ({
  cardiomegaly: /cardiomegaly/i.test(r) ? 'present' : 'absent',
  'pleural effusion': /effusion/i.test(r) ? 'present' : 'absent',
  pneumonia: /pneumonia/i.test(r) ? 'present' : 'absent',
  atelectasis: /atelectasis/i.test(r) ? 'present' : 'absent',
})) as Record<string, 'present' | 'absent'>[];

// Small hand-made sets: gate from 10 examples (the default, 30, is for real feedback).
const policy: GatePolicy = { ...DEFAULT_GATE_POLICY, resamples: 500, minExamples: 10 };

function set(
  candidate: string[],
  current: string[],
  candidateLabels = gold,
  currentLabels = gold,
): EvaluationSetOutputs {
  return {
    name: 'fixed',
    impressions: { references, candidate, current },
    labels: { labelIds, gold, candidate: candidateLabels, current: currentLabels },
  };
}

describe('evaluationGate', () => {
  it('promotes a candidate that is as good as the current model, with every number recorded', () => {
    const decision = evaluationGate([set(references, references)], policy);
    expect(decision.outcome).toBe('promote');
    expect(decision.comparisons.map((c) => c.metric)).toEqual(['rougeL', 'bleu1', 'f1', 'labelMicroF1']);
    for (const c of decision.comparisons) {
      expect(c).toMatchObject({ evaluationSet: 'fixed', examples: 12, gated: true, worse: false });
      expect(c.candidate.estimate).toBeCloseTo(1, 12);
      expect(c.difference).toEqual({ estimate: 0, lower: 0, upper: 0 });
    }
    expect(decision.reasons[0]).toMatch(/not worse beyond the 95% interval on any of 4 gated comparisons/);
  });

  it('rejects a candidate whose drafts no longer follow the findings, and says by how much', () => {
    const shuffled = references.map((_, i) => references[(i + 5) % references.length]!);
    const decision = evaluationGate(
      [
        set(
          shuffled,
          references,
          gold.map(() => ({})),
          gold,
        ),
      ],
      policy,
    );
    expect(decision.outcome).toBe('reject');
    const rouge = decision.comparisons.find((c) => c.metric === 'rougeL')!;
    const expected = shuffled.reduce((sum, c, i) => sum + rougeL(c, references[i]!).f, 0) / references.length;
    expect(rouge.candidate.estimate).toBeCloseTo(expected, 12);
    expect(rouge.worse).toBe(true);
    expect(rouge.difference.upper).toBeLessThan(0);
    expect(decision.comparisons.find((c) => c.metric === 'labelMicroF1')!.worse).toBe(true);
    expect(decision.reasons.some((r) => r.startsWith('rougeL on fixed (n=12): candidate'))).toBe(true);
  });

  it('does not reject for a difference inside the interval', () => {
    // One of twelve drafts worse: the paired interval still reaches zero.
    const oneWorse = references.map((r, i) => (i === 3 ? 'Pneumonia.' : r));
    const decision = evaluationGate([set(oneWorse, references)], policy);
    const rouge = decision.comparisons.find((c) => c.metric === 'rougeL')!;
    expect(rouge.difference.estimate).toBeLessThan(0);
    expect(rouge.difference.upper).toBeGreaterThanOrEqual(0);
    expect(decision.outcome).toBe('promote');
  });

  it('tolerates a configured margin', () => {
    const slightly = references.map((r) => `${r} Unchanged.`);
    expect(evaluationGate([set(slightly, references)], policy).outcome).toBe('reject');
    expect(evaluationGate([set(slightly, references)], { ...policy, tolerance: 0.25 }).outcome).toBe(
      'promote',
    );
  });

  it('reports but does not gate a set that is too small, and rejects when nothing can be gated', () => {
    const small: EvaluationSetOutputs = {
      name: 'feedback',
      impressions: { references: ['a b'], candidate: ['x'], current: ['a b'] },
    };
    const decision = evaluationGate([set(references, references), small], policy);
    expect(decision.outcome).toBe('promote');
    const smallRouge = decision.comparisons.find(
      (c) => c.evaluationSet === 'feedback' && c.metric === 'rougeL',
    )!;
    expect(smallRouge).toMatchObject({ gated: false, worse: false, examples: 1 });
    expect(decision.reasons).toContain('rougeL on feedback: 1 examples < 10, reported but not gated');
    const nothing = evaluationGate([small], policy);
    expect(nothing.outcome).toBe('reject');
    expect(nothing.reasons.at(-1)).toMatch(/no evaluation set had enough examples/);
  });

  it('only gates the metrics the policy names', () => {
    const shuffled = references.map((_, i) => references[(i + 5) % references.length]!);
    const decision = evaluationGate([set(shuffled, references)], { ...policy, metrics: ['labelMicroF1'] });
    expect(decision.outcome).toBe('promote');
    expect(decision.comparisons.find((c) => c.metric === 'rougeL')).toMatchObject({
      gated: false,
      worse: false,
    });
  });

  it('refuses outputs that do not pair one to one', () => {
    expect(() => evaluationGate([set(references.slice(1), references)], policy)).toThrow(/lengths differ/);
  });
});
