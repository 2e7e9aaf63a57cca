export { createRng, randomIndex, type Rng } from './prng.ts';
export { rougeL, rougeTokenize, lcsLength, type RougeOptions, type PrecisionRecallF } from './rouge.ts';
export { bleu1, bleu1Tokens } from './bleu.ts';
export { repeatedNgram } from './repetition.ts';
export { llavaNormalize, llavaNormalizeWord, unigramCounts } from './llava-normalize.ts';
export { unigramF1, llavaTokens, type UnigramScore } from './unigram-f1.ts';
export {
  scoreLabels,
  countLabels,
  summariseCounts,
  DEFAULT_UNCERTAIN_POLICY,
  type LabelValue,
  type UncertainPolicy,
  type LabelAssignment,
  type LabelPair,
  type LabelCounts,
  type LabelScore,
  type LabelReport,
  type LabelScoreOptions,
} from './label-scores.ts';
export {
  bootstrapCi,
  bootstrapMean,
  drawResamples,
  intervalFromResamples,
  meanAt,
  percentile,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  PAPER_RESAMPLES,
  type BootstrapOptions,
  type ConfidenceInterval,
} from './bootstrap.ts';
export { labelIntervals, type LabelIntervals } from './label-intervals.ts';
export {
  scoreTextPairs,
  textIntervals,
  TEXT_METRICS,
  type TextMetric,
  type PerExampleTextScores,
} from './text-scores.ts';
export {
  formatInterval,
  formatNumber,
  renderTextTable,
  type FormatOptions,
  type TextTable,
} from './report/format.ts';
export {
  renderBarChartSvg,
  renderHtmlReport,
  escapeHtml,
  type BarChart,
  type BarGroup,
  type BarSeries,
  type HtmlReport,
  type ReportSection,
} from './report/html.ts';
