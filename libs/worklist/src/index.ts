export {
  PRIORITY_LEVELS,
  priorityRank,
  compareRows,
  sortRows,
  upsertRow,
  applyReview,
  worklistRow,
  labelLines,
  modelOf,
  routeText,
  type ModelRouteKind,
  type PriorityLevel,
  type WorklistRow,
  type LabelLine,
  type LabelState,
} from './rows.ts';
export { modalityOf } from './modality.ts';
export {
  REVIEW_STATES,
  stateOfVerdicts,
  reviewStateOf,
  type ReviewState,
  type ReviewRecord,
  type Verdict,
} from './review-state.ts';
export {
  NO_FILTER,
  matchesFilter,
  filterRows,
  filterChoices,
  toggled,
  type WorklistFilter,
} from './filters.ts';
export { wordDiff, textsDiffer, tokenize, MAX_DIFF_TOKENS, type DiffPart } from './word-diff.ts';
export {
  parseReviewAction,
  feedbackForAction,
  ReviewActionError,
  MAX_REASON_LENGTH,
  type ReviewAction,
} from './feedback-actions.ts';
export { listKey, type ListKeyOutcome } from './keyboard.ts';
export { reportView, type ReportView } from './report-view.ts';
