import { describe, expect, it } from 'vitest';
import { DEFAULT_GATE_POLICY, type EvaluationSetOutputs, type GatePolicy } from './evaluation-gate.ts';
import { radiologistEvaluationGate } from './radiologist-gate.ts';

// Twelve signed impressions; the radiologist writes the same content as a numbered list.
const signed = [
  'No acute cardiopulmonary abnormality.',
  'Mild cardiomegaly without edema.',
  'Small left pleural effusion. No pneumothorax.',
  'Right lower lobe pneumonia.',
  'Stable granuloma in the right upper lobe.',
  'No pneumothorax after chest tube removal.',
  'Low lung volumes. Bibasilar atelectasis.',
  'Hyperinflated lungs consistent with emphysema.',
  'Endotracheal tube 4 cm above the carina.',
  'Cardiomegaly. Pulmonary vascular congestion.',
  'Degenerative changes of the thoracic spine.',
  'Left upper lobe nodule, recommend CT.',
];
const numbered = (text: string) =>
  text
    .split(/(?<=\.)\s+/)
    .map((s, i) => `${i + 1}. ${s}`)
    .join('\n');
const theirs = signed.map(numbered);
const labelIds = ['cardiomegaly', 'pleural effusion'];
const gold = signed.map((r) => ({
  cardiomegaly: /cardiomegaly/i.test(r) ? 'present' : 'absent',
  'pleural effusion': /effusion/i.test(r) ? 'present' : 'absent',
})) as Record<string, 'present' | 'absent'>[];
const noLabels = gold.map(() => ({ cardiomegaly: 'absent', 'pleural effusion': 'absent' })) as typeof gold;
const policy: GatePolicy = { ...DEFAULT_GATE_POLICY, resamples: 500, minExamples: 10 };

/** The candidate writes `candidate` for both sets; the serving model writes the hospital's impressions. */
function sets(
  candidate: { fixed: string[]; feedback: string[] },
  candidateLabels = gold,
  feedbackSize = 12,
): EvaluationSetOutputs[] {
  return [
    {
      name: 'fixed',
      impressions: { references: signed, candidate: candidate.fixed, current: signed },
      labels: { labelIds, gold, candidate: candidateLabels, current: gold },
    },
    {
      name: 'feedback',
      impressions: {
        references: theirs.slice(0, feedbackSize),
        candidate: candidate.feedback.slice(0, feedbackSize),
        current: signed.slice(0, feedbackSize),
      },
    },
  ];
}

describe('radiologistEvaluationGate', () => {
  it("promotes an adapter in the radiologist's style although it loses ROUGE-L on the hospital's fixed set", () => {
    const decision = radiologistEvaluationGate(sets({ fixed: theirs, feedback: theirs }), policy);
    const fixedRouge = decision.comparisons.find(
      (c) => c.evaluationSet === 'fixed' && c.metric === 'rougeL',
    )!;
    // The shared gate would refuse it: the fixed-set difference lies below the margin.
    expect(fixedRouge.difference.upper).toBeLessThan(-policy.tolerance);
    expect(fixedRouge).toMatchObject({ gated: false, worse: false });
    expect(decision.outcome).toBe('promote');
    expect(decision.comparisons.filter((c) => c.gated).map((c) => `${c.evaluationSet}:${c.metric}`)).toEqual([
      'fixed:labelMicroF1',
      'feedback:rougeL',
      'feedback:bleu1',
      'feedback:f1',
    ]);
    expect(decision.reasons[0]).toMatch(
      /^radiologist's model: impression gated on their own held-out feedback \(n=12, rougeL candidate 100\.0/,
    );
    expect(decision.reasons[0]).toMatch(
      /label tasks on fixed; not worse beyond the 95% interval on any of 4/,
    );
    expect(decision.reasons.some((r) => /rougeL on fixed .* reported but not gated/.test(r))).toBe(true);
  });

  it("rejects a model that writes the radiologist's own held-out impressions worse than the serving model", () => {
    const bad = signed.map(() => 'Unremarkable.');
    const decision = radiologistEvaluationGate(sets({ fixed: signed, feedback: bad }), policy);
    expect(decision.outcome).toBe('reject');
    expect(decision.reasons.some((r) => /^rougeL on feedback \(n=12\).*wholly below -1\.0$/.test(r))).toBe(
      true,
    );
  });

  it('still gates the shared label tasks on the fixed set', () => {
    const decision = radiologistEvaluationGate(sets({ fixed: theirs, feedback: theirs }, noLabels), policy);
    expect(decision.outcome).toBe('reject');
    expect(decision.comparisons.find((c) => c.metric === 'labelMicroF1')).toMatchObject({
      evaluationSet: 'fixed',
      gated: true,
      worse: true,
    });
  });

  it('refuses a model whose radiologist has too few held-out impressions to show it', () => {
    const decision = radiologistEvaluationGate(sets({ fixed: theirs, feedback: theirs }, gold, 5), policy);
    expect(decision.outcome).toBe('reject');
    expect(decision.reasons[0]).toMatch(/own held-out impressions \(n=5\) are too few to gate on \(< 10\)/);
  });
});
