import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { createLogger } from '@radflow/config';
import {
  DeadlineExceededError,
  GenerationFailedError,
  InputTooLongError,
  ModelLoadError,
  ModelUnavailableError,
  OverloadedError,
  RequestCancelledError,
  type ModelInfo,
  type RuntimeLogger,
} from '@radflow/model-runtime';
import { PromptInputError } from '@radflow/prompts';
import type { Response } from 'express';
import { InvalidRequestError } from './request-validation.ts';
import { INFERENCE_OPTIONS, type InferenceOptions } from './inference.options.ts';
import { InferenceService, ModelDirNotAllowedError } from './inference.service.ts';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; retryAfterMs?: number; stage?: string };
  model?: ModelInfo;
}

/** Maps the runtime's typed errors to HTTP: 400 invalid, 413 too long, 429 overloaded, 504 deadline, 503 loading. */
export function toHttp(error: unknown): { status: number; body: ErrorBody; retryAfterSeconds?: number } {
  if (error instanceof InvalidRequestError)
    return {
      status: 400,
      body: { error: { code: error.code, message: error.message, details: error.details } },
    };
  if (error instanceof PromptInputError) {
    return {
      status: 400,
      body: {
        error: {
          code: 'INVALID_REQUEST',
          message: error.message,
          details: error.missing.map((m) => ({ path: `/${m}`, message: 'required' })),
        },
      },
    };
  }
  if (error instanceof InputTooLongError)
    return { status: 413, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof OverloadedError) {
    return {
      status: 429,
      body: { error: { code: error.code, message: error.message, retryAfterMs: error.retryAfterMs } },
      retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterMs / 1000)),
    };
  }
  if (error instanceof DeadlineExceededError)
    return { status: 504, body: { error: { code: error.code, message: error.message, stage: error.stage } } };
  if (error instanceof RequestCancelledError) {
    // The client left (nobody reads this) or a sibling task of /v1/enrich failed first.
    return { status: 499, body: { error: { code: error.code, message: error.message, stage: error.stage } } };
  }
  if (error instanceof ModelUnavailableError)
    return { status: 503, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof ModelDirNotAllowedError)
    return { status: 403, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof ModelLoadError)
    return { status: 422, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof GenerationFailedError)
    return { status: 500, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    // Refusals that already carry this API's error body (ApiAuthGuard's 401/403/503).
    const given = error.getResponse() as Partial<ErrorBody>;
    if (typeof given === 'object' && typeof given?.error?.code === 'string')
      return { status, body: { error: given.error } };
    if (status === 413)
      return { status, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: error.message } } };
    return {
      status,
      body: {
        error: {
          code: status === 404 ? 'NOT_FOUND' : status < 500 ? 'INVALID_REQUEST' : 'INTERNAL',
          message: error.message,
        },
      },
    };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
}

@Catch()
export class InferenceExceptionFilter implements ExceptionFilter {
  private readonly logger: RuntimeLogger;

  constructor(
    @Inject(InferenceService) private readonly inference: InferenceService,
    @Inject(INFERENCE_OPTIONS) options: InferenceOptions,
  ) {
    this.logger = options.logger ?? createLogger('inference');
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, retryAfterSeconds } = toHttp(error);
    if (status >= 500 && status !== 503 && status !== 504) {
      this.logger.error(
        { status, code: body.error.code, errorName: (error as Error)?.name },
        'inference request failed',
      );
    }
    const model = this.inference.model;
    if (retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(retryAfterSeconds));
    response.status(status).json(model ? { ...body, model } : body);
  }
}
