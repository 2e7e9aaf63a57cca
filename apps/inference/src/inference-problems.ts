import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import {
  DeadlineExceededError,
  GenerationFailedError,
  InputTooLongError,
  ModelLoadError,
  ModelUnavailableError,
  OverloadedError,
  RequestCancelledError,
  type ModelInfo,
} from '@radflow/model-runtime';
import { HttpProblem } from '@radflow/platform';
import { PromptInputError } from '@radflow/prompts';
import { catchError, throwError, type Observable } from 'rxjs';
import { InferenceService, ModelDirNotAllowedError, ModelNotFoundError } from './inference.service.ts';

/**
 * What the model service's errors mean over HTTP: 400 missing inputs, 403 a reload outside the model roots,
 * 404 a model version the registry does not hold, 413 a prompt over the context window, 422 an unloadable model,
 * 429 overloaded, 499 cancelled, 500 the model failed, 503 loading or draining, 504 deadline. Undefined for an
 * error that is not the model service's own.
 */
export function inferenceProblem(error: unknown, model: ModelInfo | undefined): HttpProblem | undefined {
  const extensions = model ? { model } : {};
  const cause = error;
  if (error instanceof PromptInputError)
    return new HttpProblem({
      status: 400,
      code: 'INVALID_REQUEST',
      detail: error.message,
      errors: error.missing.map((m) => ({ pointer: `/${m}`, detail: 'required' })),
      extensions,
      cause,
    });
  if (error instanceof OverloadedError)
    return new HttpProblem({
      status: 429,
      code: 'OVERLOADED',
      detail: error.message,
      retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterMs / 1000)),
      extensions: { ...extensions, retryAfterMs: error.retryAfterMs },
      cause,
    });
  if (error instanceof DeadlineExceededError || error instanceof RequestCancelledError)
    // 499: the client left (nobody reads this) or a sibling task of /v1/enrich failed first.
    return new HttpProblem({
      status: error instanceof DeadlineExceededError ? 504 : 499,
      code: error.code as 'DEADLINE_EXCEEDED' | 'REQUEST_CANCELLED',
      detail: error.message,
      extensions: { ...extensions, stage: error.stage },
      cause,
    });
  const plain = PLAIN.find(([type]) => error instanceof type);
  if (!plain) return undefined;
  const [, status, code, fixedDetail] = plain;
  return new HttpProblem({
    status,
    code,
    detail: fixedDetail ?? (error as Error).message,
    extensions,
    cause,
  });
}

/** Errors that map by type alone; a fixed detail where the message could quote what the model was running on. */
const PLAIN: Array<[abstract new (...args: never[]) => Error, number, HttpProblem['code'], string?]> = [
  [InputTooLongError, 413, 'INPUT_TOO_LONG'],
  [ModelUnavailableError, 503, 'MODEL_UNAVAILABLE'],
  [ModelDirNotAllowedError, 403, 'MODEL_DIR_NOT_ALLOWED'],
  [ModelNotFoundError, 404, 'MODEL_NOT_FOUND'],
  [ModelLoadError, 422, 'MODEL_LOAD_FAILED'],
  [GenerationFailedError, 500, 'GENERATION_FAILED', 'the model run failed'],
];

/** Turns the model service's errors into HttpProblems naming the serving model; the platform's filter answers them. */
@Injectable()
export class InferenceProblems implements NestInterceptor {
  constructor(@Inject(InferenceService) private readonly inference: InferenceService) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(
        catchError((error: unknown) =>
          throwError(() => inferenceProblem(error, this.inference.model) ?? error),
        ),
      );
  }
}
