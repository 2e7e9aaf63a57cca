import { ModelOutputParseError } from '../errors.ts';
import { answerText, type AnswerTextOptions } from './answer-text.ts';

/** A free-text answer: the text before end-of-text, trimmed. An empty answer is a parse error. */
export function parseFreeText(task: string, output: string, options: AnswerTextOptions = {}): string {
  const text = answerText(output, options);
  if (text === '') throw new ModelOutputParseError(task, 'empty answer', output);
  return text;
}
