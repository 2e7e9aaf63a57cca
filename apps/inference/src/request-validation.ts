import { TASK_NAMES, type TaskName } from '@radflow/prompts';
import { apiSchemaId, createSchemaAjv, type ErrorObject, type ValidateFunction } from '@radflow/schemas';

const ajv = createSchemaAjv({ strict: true });
const TASK_REQUEST = apiSchemaId('inference.task-request.v1');

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
  ajv.getSchema(apiSchemaId('inference.enrich-request.v1')) as ValidateFunction,
  'enrich request',
);
export const validateReloadRequest = checker<{ modelDir: string }>(
  ajv.getSchema(apiSchemaId('inference.reload-request.v1')) as ValidateFunction,
  'reload request',
);
