import { TASK_NAMES, type TaskName } from '@radflow/prompts';
import { HttpProblem } from '@radflow/platform';
import {
  apiSchemaId,
  createSchemaAjv,
  type ErrorObject,
  type InferenceEnrichRequest,
  type InferenceReloadRequest,
  type InferenceTaskRequest,
  type RequestIssue,
  type ValidateFunction,
} from '@radflow/schemas';

const ajv = createSchemaAjv({ strict: true });
const TASK_REQUEST = apiSchemaId('inference.task-request.v1');

/** A request that does not match its schema: 400 with every issue, by JSON pointer (values are never echoed). */
export class InvalidRequestError extends HttpProblem {
  constructor(detail: string, errors: RequestIssue[]) {
    super({ status: 400, code: 'INVALID_REQUEST', detail, errors });
    this.name = 'InvalidRequestError';
  }
}

function issues(errors: ErrorObject[] | null | undefined): RequestIssue[] {
  return (errors ?? []).map((e) => ({
    pointer: e.instancePath || '/',
    detail:
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

const taskCheckers = Object.fromEntries(
  TASK_NAMES.map((task) => [
    task,
    checker<InferenceTaskRequest>(
      ajv.getSchema(`${TASK_REQUEST}#/$defs/${task}`) as ValidateFunction,
      `${task} request`,
    ),
  ]),
) as Record<TaskName, (body: unknown) => InferenceTaskRequest>;

export const validateTaskRequest = (task: TaskName, body: unknown): InferenceTaskRequest =>
  taskCheckers[task](body);
export const validateEnrichRequest = checker<InferenceEnrichRequest>(
  ajv.getSchema(apiSchemaId('inference.enrich-request.v1')) as ValidateFunction,
  'enrich request',
);
export const validateReloadRequest = checker<InferenceReloadRequest>(
  ajv.getSchema(apiSchemaId('inference.reload-request.v1')) as ValidateFunction,
  'reload request',
);
