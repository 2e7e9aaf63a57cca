import { isTaskName, taskCatalog, type LabelVocabulary, type TaskName } from '../catalog.ts';
import { ModelOutputParseError } from '../errors.ts';
import { parseAddedRemoved, type AddedRemovedFindings } from './added-removed.ts';
import type { AnswerTextOptions } from './answer-text.ts';
import { parseFreeText } from './free-text.ts';
import { parseLabels } from './labels.ts';
import { parseProgression, type FindingProgression } from './progression.ts';

export type ParsedAnswer =
  | { format: 'text'; text: string }
  | { format: 'labels'; labels: string[]; vocabulary: { name: string; version: string } }
  | { format: 'added_removed'; added: string[]; removed: string[] }
  | { format: 'progression'; progression: FindingProgression[] };

/**
 * Parses a model output by its task's answer format. Throws only ModelOutputParseError (or its subclass
 * UnknownLabelError): anything unexpected inside a parser is wrapped, so callers can rely on one error type.
 */
export function parseAnswer(
  task: TaskName | string,
  output: string,
  options: AnswerTextOptions = {},
): ParsedAnswer {
  try {
    if (!isTaskName(task)) throw new ModelOutputParseError(String(task), 'unknown task', output);
    const template = taskCatalog.tasks[task];
    switch (template.answer) {
      case 'text':
        return { format: 'text', text: parseFreeText(task, output, options) };
      case 'labels': {
        const vocabulary = template.vocabulary as LabelVocabulary;
        return {
          format: 'labels',
          labels: parseLabels(task, output, vocabulary, options),
          vocabulary: { name: vocabulary.name, version: vocabulary.version },
        };
      }
      case 'added_removed': {
        const found: AddedRemovedFindings = parseAddedRemoved(task, output, options);
        return { format: 'added_removed', ...found };
      }
      case 'progression':
        return { format: 'progression', progression: parseProgression(task, output, options) };
    }
  } catch (error) {
    if (error instanceof ModelOutputParseError) throw error;
    throw new ModelOutputParseError(
      String(task),
      `internal parser failure (${(error as Error)?.name ?? 'unknown'})`,
      String(output),
    );
  }
}
