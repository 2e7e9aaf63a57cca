import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { TASK_NAMES, type TaskName } from '@radflow/prompts';

const apiDir = new URL('../../../schemas/api/', import.meta.url);

function schema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(file, apiDir), 'utf8')) as Record<string, unknown>;
}

const ajv = new Ajv2020({ allErrors: true, strict: true });
const TASK_REQUEST = 'inference.task-request.v1.schema.json';
ajv.addSchema(schema(TASK_REQUEST), TASK_REQUEST);

export interface ValidationIssue {
  path: string;
  message: string;
}

/** A request body that does not match its schema: every issue, by JSON pointer (values are never echoed). */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  readonly code = 'INVALID_REQUEST';
  constructor(
    message: string,
    readonly details: ValidationIssue[],
  ) {
    super(message);
  }
}

function issues(errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  return (errors ?? []).map((e) => ({
    path: e.instancePath || '/',
    message:
      e.keyword === 'additionalProperties'
        ? `unknown field "${String(e.params.additionalProperty)}"`
        : (e.message ?? 'invalid'),
  }));
}

function checker<T>(validate: ValidateFunction, what: string): (body: unknown) => T {
  return (body) => {
    if (!validate(body)) throw new InvalidRequestError(`invalid ${what} body`, issues(validate.errors));
    return body as T;
  };
}

export interface TaskRequestBody {
  report?: string;
  findings?: string;
  text?: string;
  question?: string;
  priorReport?: string;
  deadlineMs?: number;
  maxNewTokens?: number;
}

export interface EnrichRequestBody {
  findings: string;
  report: string;
  priorReport?: string;
  deadlineMs?: number;
  maxNewTokens?: number;
}

const taskCheckers = Object.fromEntries(
  TASK_NAMES.map((task) => [
    task,
    checker<TaskRequestBody>(
      ajv.getSchema(`${TASK_REQUEST}#/$defs/${task}`) as ValidateFunction,
      `${task} request`,
    ),
  ]),
) as Record<TaskName, (body: unknown) => TaskRequestBody>;

export const validateTaskRequest = (task: TaskName, body: unknown): TaskRequestBody =>
  taskCheckers[task](body);
export const validateEnrichRequest = checker<EnrichRequestBody>(
  ajv.compile(schema('inference.enrich-request.v1.schema.json')),
  'enrich request',
);
export const validateReloadRequest = checker<{ modelDir: string }>(
  ajv.compile(schema('inference.reload-request.v1.schema.json')),
  'reload request',
);
