import { PromptInputError } from './errors.ts';
import { isTaskName, taskCatalog, type Placeholder, type SpecialTokens, type TaskName } from './catalog.ts';

/** What a task's prompt is filled with, in the domain's words. Each task uses only some of them. */
export interface PromptInputs {
  report?: string;
  text?: string;
  findings?: string;
  question?: string;
  priorReport?: string;
}

export interface BuildPromptOptions {
  /**
   * The special token strings of the model being prompted (its manifest's `specialTokens`); defaults to the
   * templates' `<instruct>`, `<output>`, `<endoftext>`, `<pad>`.
   */
  specialTokens?: Partial<SpecialTokens>;
}

const INPUT_OF: Record<Placeholder, keyof PromptInputs> = {
  report: 'report',
  text: 'text',
  findings: 'findings',
  question: 'question',
  prior_report: 'priorReport',
};

/** The inputs a task needs, as PromptInputs keys. */
export function requiredInputs(task: TaskName): (keyof PromptInputs)[] {
  return [...new Set(taskCatalog.tasks[task].placeholders.map((p) => INPUT_OF[p]))];
}

/**
 * The full prompt for a task: `<instruct>{instruction}\n<output>` with the placeholders filled in one pass (so braces
 * inside a report are never read as placeholders). Special-token strings inside inputs are removed: a report must not
 * be able to end the instruction or the answer early.
 */
export function buildPrompt(task: string, inputs: PromptInputs, options: BuildPromptOptions = {}): string {
  if (!isTaskName(task)) throw new PromptInputError(task, `unknown task "${task}"`);
  const template = taskCatalog.tasks[task];
  const tokens: SpecialTokens = { ...taskCatalog.specialTokens, ...options.specialTokens };
  const missing = requiredInputs(task).filter(
    (key) => typeof inputs[key] !== 'string' || inputs[key].trim() === '',
  );
  if (missing.length > 0) {
    throw new PromptInputError(task, `task ${task} needs non-empty ${missing.join(', ')}`, missing);
  }
  const specials = [
    ...new Set([...Object.values(taskCatalog.specialTokens), ...Object.values(tokens)]),
  ].filter((s) => s.length > 0);
  const instruction = template.instruction.replace(/\{([a-z_]+)\}/g, (_, name: string) =>
    removeSpecialTokens((inputs[INPUT_OF[name as Placeholder]] ?? '').trim(), specials),
  );
  return taskCatalog.format
    .replace('<instruct>', () => tokens.instruct)
    .replace('<output>', () => tokens.output)
    .replace('{instruction}', () => instruction);
}

function removeSpecialTokens(text: string, specials: string[]): string {
  let out = text;
  for (const special of specials) out = out.split(special).join(' ');
  return out;
}
