import { ModelOutputParseError } from '../errors.ts';
import { answerText, stripFullStop, type AnswerTextOptions } from './answer-text.ts';

export const PROGRESSIONS = ['improved', 'worsened', 'stable', 'new', 'resolved'] as const;
export type Progression = (typeof PROGRESSIONS)[number];

export interface FindingProgression {
  finding: string;
  progression: Progression;
}

/** Parses "finding: improved; finding: worsened" ('none' when nothing is shared). */
export function parseProgression(
  task: string,
  output: string,
  options: AnswerTextOptions = {},
): FindingProgression[] {
  const text = answerText(output, options);
  if (text === '') throw new ModelOutputParseError(task, 'empty answer', output);
  if (stripFullStop(text).toLowerCase() === 'none') return [];
  const entries = text
    .split(/[;\n]/)
    .map((entry) => stripFullStop(entry.trim()))
    .filter((entry) => entry.length > 0);
  const seen = new Map<string, FindingProgression>();
  for (const [index, entry] of entries.entries()) {
    const colon = entry.lastIndexOf(':');
    if (colon < 0)
      throw new ModelOutputParseError(task, `entry ${index + 1} has no "finding: progression" colon`, output);
    const finding = entry.slice(0, colon).trim();
    const word = entry
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (finding === '') throw new ModelOutputParseError(task, `entry ${index + 1} names no finding`, output);
    if (!(PROGRESSIONS as readonly string[]).includes(word)) {
      throw new ModelOutputParseError(
        task,
        `entry ${index + 1} has progression outside ${PROGRESSIONS.join('/')}`,
        output,
      );
    }
    seen.set(finding.toLowerCase(), { finding, progression: word as Progression });
  }
  return [...seen.values()];
}

export function formatProgression(entries: readonly FindingProgression[]): string {
  return entries.length === 0 ? 'none' : entries.map((e) => `${e.finding}: ${e.progression}`).join('; ');
}
