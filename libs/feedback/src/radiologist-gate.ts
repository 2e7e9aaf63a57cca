import {
  evaluationGate,
  type EvaluationSetOutputs,
  type GateDecision,
  type GatePolicy,
  type Interval,
  type MetricComparison,
} from './evaluation-gate.ts';

/**
 * The gate for one radiologist's model (`<shared>~r-<key>`). Their adapter is trained to write impressions the way
 * they do, so it is expected to lose ROUGE-L against the hospital's signed impressions of the fixed set on purpose:
 * that comparison is reported, never gated. What gates it:
 * - the impression, on that radiologist's own held-out feedback (the `feedback` set: the accession-hash eval split of
 *   the feedback on reports they signed, never trained on), which must have enough examples to gate at all: a model
 *   that cannot be shown to write that radiologist's impressions at least as well as what serves them now is refused;
 * - the shared label tasks (abnormality and device labels), on the fixed set and on their held-out feedback: not worse
 *   than the serving model beyond the margin, as for any candidate.
 */
export const RADIOLOGIST_IMPRESSION_SET = 'feedback';
export const FIXED_SET = 'fixed';

const isTextMetric = (c: MetricComparison) => c.metric !== 'labelMicroF1';

const pct = (v: number) => (v * 100).toFixed(1);
const show = (i: Interval) => `${pct(i.estimate)} [${pct(i.lower)}, ${pct(i.upper)}]`;

export function radiologistEvaluationGate(
  sets: readonly EvaluationSetOutputs[],
  policy: GatePolicy,
): GateDecision {
  // The shared gate scores every comparison on the same resamples; the decision is taken again here.
  const { comparisons } = evaluationGate(sets, policy);
  const reasons: string[] = [];
  for (const c of comparisons) {
    const metricGated = policy.metrics.includes(c.metric);
    if (c.evaluationSet === FIXED_SET && isTextMetric(c)) {
      c.gated = false;
      c.worse = false;
      continue;
    }
    c.gated = metricGated && c.examples >= policy.minExamples;
    c.worse = c.gated && c.difference.upper < -policy.tolerance;
    if (metricGated && !c.gated)
      reasons.push(
        `${c.metric} on ${c.evaluationSet}: ${c.examples} examples < ${policy.minExamples}, reported but not gated`,
      );
  }
  const fixedImpression = comparisons.find((c) => c.evaluationSet === FIXED_SET && c.metric === 'rougeL');
  if (fixedImpression)
    reasons.push(
      `rougeL on ${FIXED_SET} (n=${fixedImpression.examples}, the hospital's signed impressions): candidate ` +
        `${show(fixedImpression.candidate)} vs current ${show(fixedImpression.current)}, reported but not gated ` +
        `(a radiologist's model writes in their style)`,
    );
  const own = comparisons.filter(
    (c) => c.evaluationSet === RADIOLOGIST_IMPRESSION_SET && isTextMetric(c) && c.gated,
  );
  const worse = comparisons.filter((c) => c.worse);
  for (const c of worse)
    reasons.push(
      `${c.metric} on ${c.evaluationSet} (n=${c.examples}): candidate ${show(c.candidate)} vs current ${show(c.current)}; ` +
        `difference ${show(c.difference)} lies wholly below -${pct(policy.tolerance)}`,
    );
  if (own.length === 0) {
    const n =
      comparisons.find((c) => c.evaluationSet === RADIOLOGIST_IMPRESSION_SET && isTextMetric(c))?.examples ??
      0;
    reasons.unshift(
      `the radiologist's own held-out impressions (n=${n}) are too few to gate on (< ${policy.minExamples}): ` +
        `the model cannot be shown to write their impressions well`,
    );
    return { outcome: 'reject', reasons, comparisons };
  }
  if (worse.length > 0) return { outcome: 'reject', reasons, comparisons };
  const gated = comparisons.filter((c) => c.gated);
  const level = `${Math.round(policy.level * 100)}%`;
  const rouge = own.find((c) => c.metric === 'rougeL');
  const labelSets = [...new Set(gated.filter((c) => !isTextMetric(c)).map((c) => c.evaluationSet))];
  reasons.unshift(
    `radiologist's model: impression gated on their own held-out feedback (n=${own[0]!.examples}` +
      `${rouge ? `, rougeL candidate ${show(rouge.candidate)} vs current ${show(rouge.current)}` : ''}), ` +
      `label tasks on ${labelSets.length > 0 ? labelSets.join(', ') : 'no set'}; not worse beyond the ${level} ` +
      `interval on any of ${gated.length} gated comparisons`,
  );
  return { outcome: 'promote', reasons, comparisons };
}
