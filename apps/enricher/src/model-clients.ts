import type { TaskAnswer, TaskOptions, TaskRunner } from '@radflow/enrichment';
import { tracedFetch } from '@radflow/platform';
import type { InferenceTaskResponse, Problem } from '@radflow/schemas';

/** The inference service answered with an error: its status and problem code (schemas/api/problem.v1). */
export class InferenceCallError extends Error {
  override readonly name = 'InferenceCallError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    task: string,
  ) {
    super(`inference service answered ${status}${code ? ` ${code}` : ''} for ${task}`);
  }
}

/** Calls a separately deployed inference service (INFERENCE_URL) one task at a time; it batches across callers. */
export class HttpTaskRunner implements TaskRunner {
  /** bearerToken: read per call (the service may create the installation's key file after this client starts). */
  constructor(
    private readonly baseUrl: string,
    private readonly bearerToken: () => string | undefined = () => undefined,
  ) {}

  async runTask(task: string, inputs: Record<string, string>, options: TaskOptions): Promise<TaskAnswer> {
    // The priority travels as a header: the inference service's queue serves STAT first.
    const token = this.bearerToken();
    // A CLIENT span whose W3C trace context (traceparent) the inference service's spans continue.
    const url = `${this.baseUrl.replace(/\/$/, '')}/v1/tasks/${task}`;
    const response = await tracedFetch(
      'POST /v1/tasks/{task}',
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-deadline-ms': String(options.deadlineMs),
          ...(options.priority ? { 'x-worklist-priority': options.priority } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({
          ...inputs,
          deadlineMs: options.deadlineMs,
          ...(options.model ? { model: options.model } : {}),
        }),
        signal: AbortSignal.timeout(options.deadlineMs + 500),
      },
      { 'url.template': '/v1/tasks/{task}', 'radflow.inference.task': task },
    );
    if (!response.ok) {
      // The problem's code says what happened (MODEL_NOT_FOUND: the routed version is not held, and RoutedModelClient
      // falls back to the serving model); a body that is not a problem leaves it undefined.
      const problem = (await response.json().catch(() => undefined)) as Partial<Problem> | undefined;
      throw new InferenceCallError(response.status, problem?.code, task);
    }
    // The service's task response (schemas/api/inference.task-response.v1, its generated type) carries the parsed
    // answer as `result`.
    const body = (await response.json()) as InferenceTaskResponse;
    return { model: body.model, answer: body.result };
  }
}
