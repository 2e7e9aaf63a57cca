import type { LabelVocabulary } from '../catalog.ts';
import { ModelOutputParseError, UnknownLabelError } from '../errors.ts';
import { answerText, splitList, stripFullStop, type AnswerTextOptions } from './answer-text.ts';

/**
 * Label ids from a labels answer ("atelectasis, pleural effusion" or "none"), in vocabulary order without duplicates.
 * Matching is case-insensitive. Labels outside the vocabulary raise UnknownLabelError listing them.
 */
export function parseLabels(
  task: string,
  output: string,
  vocabulary: LabelVocabulary,
  options: AnswerTextOptions = {},
): string[] {
  const text = answerText(output, options);
  if (text === '') throw new ModelOutputParseError(task, 'empty answer', output);
  const none = vocabulary.noneAnswer.toLowerCase();
  if (stripFullStop(text).toLowerCase() === none) return [];
  const items = splitList(text).map((item) => item.toLowerCase().replace(/\s+/g, ' '));
  if (items.includes(none))
    throw new ModelOutputParseError(task, `"${vocabulary.noneAnswer}" mixed with labels`, output);
  const known = new Set(vocabulary.ids);
  const unknown = [...new Set(items.filter((item) => !known.has(item)))];
  if (unknown.length > 0) throw new UnknownLabelError(task, vocabulary.name, unknown, output);
  const present = new Set(items);
  return vocabulary.ids.filter((id) => present.has(id));
}

/** The canonical answer for a set of labels: the format the model is trained on and constrained to. */
export function formatLabels(labels: readonly string[], vocabulary: LabelVocabulary): string {
  const present = new Set(labels);
  const ordered = vocabulary.ids.filter((id) => present.has(id));
  return ordered.length === 0 ? vocabulary.noneAnswer : ordered.join(', ');
}
