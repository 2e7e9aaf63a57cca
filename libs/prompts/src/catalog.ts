import templatesJson from '../templates/rad-phi2-tasks.v1.json' with { type: 'json' };
import abnormalityJson from '../../../schemas/vocabularies/abnormality-labels.v1.json' with { type: 'json' };
import deviceJson from '../../../schemas/vocabularies/device-labels.v1.json' with { type: 'json' };

export const TASK_NAMES = [
  'extract_findings',
  'extract_impression',
  'cleanup',
  'impression',
  'abnormality_labels',
  'device_labels',
  'qa_comprehension',
  'temporal_findings',
  'temporal_progression',
] as const;

export type TaskName = (typeof TASK_NAMES)[number];
export type AnswerFormat = 'text' | 'labels' | 'added_removed' | 'progression';
/** Placeholder names as written in the templates (shared with the Python trainer). */
export type Placeholder = 'report' | 'text' | 'findings' | 'question' | 'prior_report';

export interface SpecialTokens {
  instruct: string;
  output: string;
  endOfText: string;
  pad: string;
}

export interface LabelVocabulary {
  /** Path of the vocabulary file relative to the repository root, as the template names it. */
  source: string;
  name: string;
  version: string;
  /** Label ids in vocabulary order: what the model writes and the parsers return. */
  ids: string[];
  noneAnswer: string;
}

export interface TaskTemplate {
  task: TaskName;
  paperName: string;
  instruction: string;
  answer: AnswerFormat;
  placeholders: Placeholder[];
  vocabulary?: LabelVocabulary;
}

export interface TaskCatalog {
  format: string;
  specialTokens: SpecialTokens;
  tasks: Record<TaskName, TaskTemplate>;
}

interface RawVocabulary {
  name: string;
  version: string;
  labels: { id: string }[];
  noneAnswer: string;
}

const vocabularies: Record<string, RawVocabulary> = {
  'schemas/vocabularies/abnormality-labels.v1.json': abnormalityJson,
  'schemas/vocabularies/device-labels.v1.json': deviceJson,
};

const ANSWER_FORMATS: readonly AnswerFormat[] = ['text', 'labels', 'added_removed', 'progression'];
const PLACEHOLDERS: readonly Placeholder[] = ['report', 'text', 'findings', 'question', 'prior_report'];

export function isTaskName(value: string): value is TaskName {
  return (TASK_NAMES as readonly string[]).includes(value);
}

function toVocabulary(source: string): LabelVocabulary {
  const raw = vocabularies[source];
  if (!raw) throw new Error(`task template names vocabulary ${source}, which libs/prompts does not know`);
  return {
    source,
    name: raw.name,
    version: raw.version,
    ids: raw.labels.map((l) => l.id),
    noneAnswer: raw.noneAnswer,
  };
}

function placeholdersOf(instruction: string): Placeholder[] {
  const found = [...instruction.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1] ?? '');
  for (const name of found) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name))
      throw new Error(`unknown placeholder {${name}} in task template`);
  }
  return found as Placeholder[];
}

function loadCatalog(): TaskCatalog {
  const tasks = {} as Record<TaskName, TaskTemplate>;
  for (const task of TASK_NAMES) {
    const raw = (
      templatesJson.tasks as Record<
        string,
        { paperName: string; instruction: string; answer: string; vocabulary?: string }
      >
    )[task];
    if (!raw) throw new Error(`task ${task} missing from rad-phi2-tasks.v1.json`);
    if (!(ANSWER_FORMATS as readonly string[]).includes(raw.answer))
      throw new Error(`task ${task} has unknown answer format ${raw.answer}`);
    const template: TaskTemplate = {
      task,
      paperName: raw.paperName,
      instruction: raw.instruction,
      answer: raw.answer as AnswerFormat,
      placeholders: placeholdersOf(raw.instruction),
    };
    if (raw.vocabulary) template.vocabulary = toVocabulary(raw.vocabulary);
    tasks[task] = template;
  }
  return { format: templatesJson.format, specialTokens: templatesJson.specialTokens, tasks };
}

/** The Rad-Phi2 task catalog (templates + label vocabularies), validated once at import. */
export const taskCatalog: TaskCatalog = loadCatalog();

export function taskTemplate(task: TaskName): TaskTemplate {
  return taskCatalog.tasks[task];
}
