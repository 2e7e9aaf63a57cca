import { taskCatalog } from '../catalog.ts';

export interface AnswerTextOptions {
  /** The model's end-of-text and pad strings (manifest specialTokens); defaults to the templates'. */
  endOfText?: string;
  pad?: string;
}

/** The answer part of a model output: everything before the first end-of-text, pad tokens removed, trimmed. */
export function answerText(output: string, options: AnswerTextOptions = {}): string {
  const endOfText = options.endOfText ?? taskCatalog.specialTokens.endOfText;
  const pad = options.pad ?? taskCatalog.specialTokens.pad;
  const cut = endOfText ? output.indexOf(endOfText) : -1;
  let text = cut >= 0 ? output.slice(0, cut) : output;
  if (pad) text = text.split(pad).join('');
  return text.trim();
}

/** Splits a list written as "a, b; c" into trimmed non-empty items without a trailing full stop. */
export function splitList(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((item) => stripFullStop(item.trim()))
    .filter((item) => item.length > 0);
}

export function stripFullStop(text: string): string {
  return text.replace(/[.\s]+$/, '').trim();
}
