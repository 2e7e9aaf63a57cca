export {
  TASK_NAMES,
  isTaskName,
  taskCatalog,
  taskTemplate,
  type AnswerFormat,
  type LabelVocabulary,
  type Placeholder,
  type SpecialTokens,
  type TaskCatalog,
  type TaskName,
  type TaskTemplate,
} from './catalog.ts';
export { buildPrompt, requiredInputs, type BuildPromptOptions, type PromptInputs } from './build-prompt.ts';
export { ModelOutputParseError, PromptInputError, UnknownLabelError, fingerprint } from './errors.ts';
export { answerText, type AnswerTextOptions } from './parsers/answer-text.ts';
export { parseLabels, formatLabels } from './parsers/labels.ts';
export { parseAddedRemoved, formatAddedRemoved, type AddedRemovedFindings } from './parsers/added-removed.ts';
export {
  parseProgression,
  formatProgression,
  PROGRESSIONS,
  type FindingProgression,
  type Progression,
} from './parsers/progression.ts';
export { parseFreeText } from './parsers/free-text.ts';
export { parseAnswer, type ParsedAnswer } from './parsers/parse-answer.ts';
