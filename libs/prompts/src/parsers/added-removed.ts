import { ModelOutputParseError } from '../errors.ts';
import { answerText, splitList, stripFullStop, type AnswerTextOptions } from './answer-text.ts';

export interface AddedRemovedFindings {
  added: string[];
  removed: string[];
}

/** Parses "Added: a, b. Removed: c." ('none' for an empty side; either order; case-insensitive headings). */
export function parseAddedRemoved(
  task: string,
  output: string,
  options: AnswerTextOptions = {},
): AddedRemovedFindings {
  const text = answerText(output, options);
  if (text === '') throw new ModelOutputParseError(task, 'empty answer', output);
  const lower = text.toLowerCase();
  const addedAt = lower.indexOf('added:');
  const removedAt = lower.indexOf('removed:');
  if (addedAt < 0 || removedAt < 0) {
    throw new ModelOutputParseError(
      task,
      `missing ${addedAt < 0 ? '"Added:"' : '"Removed:"'} section`,
      output,
    );
  }
  if (lower.indexOf('added:', addedAt + 1) >= 0 || lower.indexOf('removed:', removedAt + 1) >= 0) {
    throw new ModelOutputParseError(task, 'a section appears twice', output);
  }
  const addedEnd = removedAt > addedAt ? removedAt : text.length;
  const removedEnd = addedAt > removedAt ? addedAt : text.length;
  return {
    added: section(text.slice(addedAt + 'added:'.length, addedEnd)),
    removed: section(text.slice(removedAt + 'removed:'.length, removedEnd)),
  };
}

function section(body: string): string[] {
  const trimmed = stripFullStop(body.trim());
  if (trimmed === '' || trimmed.toLowerCase() === 'none') return [];
  return splitList(trimmed).filter((item) => item.toLowerCase() !== 'none');
}

export function formatAddedRemoved(findings: AddedRemovedFindings): string {
  const side = (items: string[]) => (items.length === 0 ? 'none' : items.join(', '));
  return `Added: ${side(findings.added)}. Removed: ${side(findings.removed)}.`;
}
