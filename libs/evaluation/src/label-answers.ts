import { parseLabels, taskCatalog, type LabelVocabulary } from '@radflow/prompts';
import { collapseWhitespace } from './whitespace.ts';

export type LabelTask = 'abnormality_labels' | 'device_labels';

/** The {report} input of the label tasks: findings and impression as 'SECTION: text' lines, as the trainer writes it. */
export function labelTaskReport(row: { findings: string; impression: string }): string {
  const lines: string[] = [];
  if (collapseWhitespace(row.findings)) lines.push(`FINDINGS: ${collapseWhitespace(row.findings)}`);
  if (collapseWhitespace(row.impression)) lines.push(`IMPRESSION: ${collapseWhitespace(row.impression)}`);
  return lines.join('\n');
}

/** Label ids of a model answer, or null when it does not parse. */
export function parseModelLabels(task: LabelTask, answer: string): string[] | null {
  const vocabulary = taskCatalog.tasks[task].vocabulary as LabelVocabulary;
  try {
    return parseLabels(task, answer, vocabulary);
  } catch {
    return null;
  }
}

/** Label ids as an assignment that marks each of them present (and says nothing of the others). */
export function presentAssignment(ids: Iterable<string>): Record<string, 'present'> {
  return Object.fromEntries([...ids].map((id) => [id, 'present' as const]));
}
