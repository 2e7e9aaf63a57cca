export {
  labelReport,
  RULE_LABELER,
  type LabelResult,
  type DeviceResult,
  type ReportLabels,
  type LabelState,
  type Mention,
  type CvcSite,
} from './labeler.ts';
export { splitReportSentences, type ReportText, type ReportTextInput, type Sentence } from './sentences.ts';
export {
  analyseSentence,
  mentionState,
  type MentionState,
  type SentenceContext,
  type Span,
} from './context.ts';
export {
  assignWorklistPriority,
  priorityFirings,
  type PriorityFiring,
  DEFAULT_PRIORITY_POLICY,
  DEFAULT_PRIORITY_RULES,
  ENTERIC_TUBE_LABELS,
  type PriorityLevel,
  type PriorityPolicy,
  type PriorityRule,
  type WorklistPriority,
} from './priority.ts';
export {
  priorityPolicyFrom,
  prioritySettingsOf,
  type PriorityPolicySettings,
  type PriorityRuleSetting,
} from './priority-settings.ts';
export {
  checkDraftImpression,
  type CheckedDraftImpression,
  type DraftImpressionEdit,
} from './draft-impression-check.ts';
export { diffLabels, type LabelDiff, type LabelChange } from './diff.ts';
export {
  compareLabelSets,
  type LabelComparison,
  type LabelDisagreement,
  type ModelLabels,
} from './compare.ts';
export { ABNORMALITY_LEXICON } from './lexicon/abnormalities.ts';
export { DEVICE_LEXICON } from './lexicon/devices.ts';
export type { Lexicon, LexiconEntry } from './lexicon/types.ts';
export {
  ABNORMALITY_LABELS,
  DEVICE_LABELS,
  ABNORMALITY_IDS,
  DEVICE_IDS,
  NEGBIO_TO_LABEL,
  VOCABULARY_VERSIONS,
  type VocabularyLabel,
} from './vocabulary.ts';
