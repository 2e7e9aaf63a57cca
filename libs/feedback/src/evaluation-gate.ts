import { pairedLabelMicroF1, pairedTextIntervals, PAIRED_TEXT_METRICS } from '@radflow/evaluation';
import { DEFAULT_SEED, type LabelAssignment } from '@radflow/metrics';

/**
 * The evaluation gate: a candidate model replaces the current one only if, on every gated metric of every
 * evaluation set with enough examples, it is not worse beyond the bootstrap interval. "Worse beyond the interval"
 * means the whole 95% interval of the paired difference (candidate minus current, both scored on the same
 * resamples of the same examples) lies below minus the tolerance. A candidate that is merely not shown to be
 * better is promoted: fresh feedback is worth taking unless it demonstrably hurts.
 */
export type TextMetricName = 'rougeL' | 'bleu1' | 'f1';
export type GatedMetric = TextMetricName | 'labelMicroF1';
export const GATED_METRICS: readonly GatedMetric[] = ['rougeL', 'bleu1', 'f1', 'labelMicroF1'];

export interface ImpressionOutputs {
  /** What the radiologist wrote (or accepted). */
  references: string[];
  candidate: string[];
  current: string[];
}

export interface LabelOutputs {
  /** The labels scored (e.g. the 14 NegBio labels on Open-i, the whole vocabulary on feedback). */
  labelIds: string[];
  gold: LabelAssignment[];
  candidate: LabelAssignment[];
  current: LabelAssignment[];
}

export interface EvaluationSetOutputs {
  /** `fixed` (held-back reports) or `feedback` (held-out recent feedback). */
  name: string;
  impressions?: ImpressionOutputs;
  labels?: LabelOutputs;
}

export interface GatePolicy {
  metrics: readonly GatedMetric[];
  /**
   * The non-inferiority margin (in the metric's 0-1 units): how much worse is still tolerated. One point by default:
   * on a few dozen examples a paired bootstrap shows even sub-point losses as real, and a margin of zero would turn
   * away every fine-tune that costs a well-trained model a fraction of a point to learn a site's wording.
   */
  tolerance: number;
  resamples: number;
  seed: number;
  level: number;
  /**
   * An evaluation set with fewer examples is reported but not gated. Greedy drafts of a slightly changed model flip
   * on a few examples either way, and on a dozen or so a paired bootstrap reads that noise as a loss (measured here:
   * about one honest fine-tune in six turned away on 11-19 held-out feedback examples).
   */
  minExamples: number;
}

export const DEFAULT_GATE_POLICY: GatePolicy = {
  metrics: GATED_METRICS,
  tolerance: 0.01,
  resamples: 1000,
  seed: DEFAULT_SEED,
  level: 0.95,
  minExamples: 30,
};

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

export interface MetricComparison {
  evaluationSet: string;
  metric: GatedMetric;
  examples: number;
  candidate: Interval;
  current: Interval;
  difference: Interval;
  /** Whether this comparison counted (enough examples, metric gated). */
  gated: boolean;
  worse: boolean;
}

export interface GateDecision {
  outcome: 'promote' | 'reject';
  reasons: string[];
  comparisons: MetricComparison[];
}

function interval(ci: { estimate: number; lower: number; upper: number }): Interval {
  return { estimate: ci.estimate, lower: ci.lower, upper: ci.upper };
}

function assertSameLength(set: string, what: string, lengths: number[]): void {
  if (new Set(lengths).size > 1)
    throw new RangeError(`evaluation set ${set}: ${what} lengths differ (${lengths.join(', ')})`);
}

function textComparisons(set: string, outputs: ImpressionOutputs, policy: GatePolicy): MetricComparison[] {
  const n = outputs.references.length;
  assertSameLength(set, 'impression', [n, outputs.candidate.length, outputs.current.length]);
  if (n === 0) return [];
  const scored = pairedTextIntervals(outputs.references, outputs.candidate, outputs.current, policy);
  return PAIRED_TEXT_METRICS.map((metric) => ({
    evaluationSet: set,
    metric,
    examples: n,
    candidate: interval(scored[metric].candidate),
    current: interval(scored[metric].current),
    difference: interval(scored[metric].difference),
    gated: false,
    worse: false,
  }));
}

function labelComparison(set: string, outputs: LabelOutputs, policy: GatePolicy): MetricComparison[] {
  const n = outputs.gold.length;
  assertSameLength(set, 'label', [n, outputs.candidate.length, outputs.current.length]);
  if (n === 0) return [];
  const scored = pairedLabelMicroF1(
    outputs.labelIds,
    outputs.gold,
    outputs.candidate,
    outputs.current,
    policy,
  );
  return [
    {
      evaluationSet: set,
      metric: 'labelMicroF1',
      examples: n,
      candidate: interval(scored.candidate),
      current: interval(scored.current),
      difference: interval(scored.difference),
      gated: false,
      worse: false,
    },
  ];
}

const pct = (v: number) => (v * 100).toFixed(1);
const show = (i: Interval) => `${pct(i.estimate)} [${pct(i.lower)}, ${pct(i.upper)}]`;

/** Scores candidate and current on each evaluation set and decides; every number behind the decision is returned. */
export function evaluationGate(
  sets: readonly EvaluationSetOutputs[],
  policy: GatePolicy = DEFAULT_GATE_POLICY,
): GateDecision {
  const comparisons: MetricComparison[] = [];
  const reasons: string[] = [];
  for (const set of sets) {
    const found = [
      ...(set.impressions ? textComparisons(set.name, set.impressions, policy) : []),
      ...(set.labels ? labelComparison(set.name, set.labels, policy) : []),
    ];
    for (const comparison of found) {
      const metricGated = policy.metrics.includes(comparison.metric);
      comparison.gated = metricGated && comparison.examples >= policy.minExamples;
      comparison.worse = comparison.gated && comparison.difference.upper < -policy.tolerance;
      if (metricGated && !comparison.gated) {
        reasons.push(
          `${comparison.metric} on ${set.name}: ${comparison.examples} examples < ${policy.minExamples}, reported but not gated`,
        );
      }
      comparisons.push(comparison);
    }
  }
  const gated = comparisons.filter((c) => c.gated);
  const worse = gated.filter((c) => c.worse);
  const level = `${Math.round(policy.level * 100)}%`;
  for (const c of worse) {
    reasons.push(
      `${c.metric} on ${c.evaluationSet} (n=${c.examples}): candidate ${show(c.candidate)} vs current ${show(c.current)}; ` +
        `difference ${show(c.difference)} lies wholly below -${pct(policy.tolerance)}`,
    );
  }
  if (gated.length === 0) {
    reasons.push('no evaluation set had enough examples to gate on: the candidate cannot be shown safe');
    return { outcome: 'reject', reasons, comparisons };
  }
  if (worse.length > 0) return { outcome: 'reject', reasons, comparisons };
  reasons.unshift(`not worse beyond the ${level} interval on any of ${gated.length} gated comparisons`);
  return { outcome: 'promote', reasons, comparisons };
}
