export { collapseWhitespace } from './whitespace.ts';
export { SUBSETS, subsetIndices, subsetCounts, pickIndices, type Subset } from './subsets.ts';
export {
  mostFrequent,
  baselineImpression,
  mostFrequentLabelSet,
  type ImpressionBaseline,
} from './baselines.ts';
export { labelTaskReport, parseModelLabels, presentAssignment, type LabelTask } from './label-answers.ts';
export { generationChecks, type ImpressionGeneration } from './generation-checks.ts';
export { scoreImpressionSystems, type ImpressionSystems } from './impression-scores.ts';
export { scoreLabelSystems, type LabelSystemResult, type LabelSystems } from './label-systems.ts';
export {
  pairedTextIntervals,
  pairedLabelMicroF1,
  PAIRED_TEXT_METRICS,
  type PairedIntervals,
  type PairedOptions,
  type PairedTextMetric,
} from './paired-comparison.ts';
export type { EvalTask, EvalResults, ImpressionResults, LabelTaskResults } from './results.ts';
export { METRIC_NAMES, buildImpressionTable, buildLabelSummaryTable, buildPerLabelTable } from './tables.ts';
export { buildHtmlReport } from './html-report.ts';
export {
  hasReportText,
  selectImpressionReports,
  selectLabelReports,
  type EvalReportRow,
} from './report-selection.ts';
export { scoreImpressionTask } from './impression-task.ts';
export { scoreLabelTask, type LabelStates } from './label-task.ts';
export {
  ruleAbnormalityCalls,
  ruleDeviceStates,
  ruleCallStates,
  enricherLabelStates,
} from './rule-labels.ts';
export {
  emptyReportsLine,
  skippedLines,
  impressionLines,
  abnormalityLabelLines,
  deviceLabelLines,
} from './report-lines.ts';
export { impressionStatements, inStyle, styleOf, type ImpressionStyle } from './radiologist-style.ts';
