export {
  scrubPhi,
  scrubPhiWithSpans,
  PHI_KINDS,
  PHI_PLACEHOLDER,
  type PhiKind,
  type ScrubOptions,
  type ScrubResult,
  type PhiSpan,
} from './phi-scrub.ts';
export {
  evaluatePhiScrubber,
  formatPhiEvaluation,
  labelledSetFrom,
  scrubberSpans,
  LabelledSetError,
  PHI_LABELLED_SET_URL,
  PHI_LABEL_TYPES,
  type LabelledSet,
  type LabelledSentence,
  type LabelledSplit,
  type PhiEvaluation,
  type PhiLabelType,
  type PhiSpanFinder,
} from './phi-scrub-eval.ts';
export { sha256Hex, nameBasedUuid } from './hashing.ts';
export {
  feedbackRecords,
  implicitFeedback,
  IMPLICIT_REVIEWER,
  FINAL_STATUSES,
  type FeedbackRecord,
  type StoredFeedbackRecord,
  type FeedbackOutput,
  type FeedbackVerdict,
  type FeedbackSource,
  type ImplicitSkipReason,
} from './feedback-record.ts';
export {
  splitOfAccession,
  accessionKey,
  DEFAULT_SPLIT,
  type DatasetSplit,
  type SplitOptions,
} from './dataset-split.ts';
export {
  trainingExamples,
  TRAINABLE_OUTPUTS,
  type TrainingExample,
  type SkipReason,
  type ExampleBuildResult,
  type ExampleOptions,
} from './training-examples.ts';
export { datasetSnapshot, shuffleTargets, type DatasetLine, type DatasetSnapshot } from './dataset.ts';
export {
  trainingSet,
  type TrainingSet,
  type TrainingSetCounts,
  type TrainingSetOptions,
} from './training-set.ts';
export { candidateVersion } from './candidate-version.ts';
export {
  retrainingDecision,
  radiologistRetrainingDecision,
  radiologistsWithEnoughFeedback,
  DEFAULT_RETRAINING_POLICY,
  type RetrainingPolicy,
  type RetrainingState,
  type RetrainingDecision,
  type RadiologistFeedback,
  type RadiologistRetrainingState,
} from './retraining-policy.ts';
export {
  evaluationGate,
  GATED_METRICS,
  DEFAULT_GATE_POLICY,
  type GatedMetric,
  type TextMetricName,
  type ImpressionOutputs,
  type LabelOutputs,
  type EvaluationSetOutputs,
  type GatePolicy,
  type GateDecision,
  type MetricComparison,
  type Interval,
} from './evaluation-gate.ts';
export { radiologistEvaluationGate } from './radiologist-gate.ts';
export {
  fixedEvaluationSet,
  openiSplitOf,
  openiReportText,
  negbioLabelIds,
  type OpenIReportRow,
  type NegbioRow,
  type EvaluationExample,
  type FixedEvaluationSet,
} from './fixed-evaluation-set.ts';
export {
  impressionScores,
  shadowComparison,
  shadowInput,
  type ShadowSkipReason,
  SHADOW_METRICS,
  type ImpressionScores,
  type ShadowComparisonOptions,
  type ShadowMetric,
  type ShadowReportScores,
} from './shadow-comparison.ts';
export {
  shadowVerdict,
  shadowEnabled,
  DEFAULT_SHADOW_POLICY,
  type ShadowOutcome,
  type ShadowPolicy,
  type ShadowVerdict,
} from './shadow-verdict.ts';
export {
  canaryComparison,
  canaryVerdict,
  DEFAULT_CANARY_POLICY,
  type CanaryArms,
  type CanaryPolicy,
  type CanaryVerdict,
} from './canary-verdict.ts';
