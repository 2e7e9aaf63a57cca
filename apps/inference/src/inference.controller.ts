import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import type { RequestPriority } from '@radflow/model-runtime';
import { AllowAnonymous, ApiAuthenticated } from '@radflow/platform';
import { isTaskName, TASK_NAMES, type TaskName } from '@radflow/prompts';
import type { Response } from 'express';
import { InferenceProblems } from './inference-problems.ts';
import { InferenceService, type EnrichResponse, type TaskResponse } from './inference.service.ts';
import {
  InvalidRequestError,
  validateEnrichRequest,
  validateReloadRequest,
  validateTaskRequest,
} from './request-validation.ts';

/** X-Deadline-Ms header, when the body has no deadlineMs. */
function headerDeadline(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1)
    throw new InvalidRequestError('invalid X-Deadline-Ms header', [
      { pointer: 'header:x-deadline-ms', detail: 'must be a positive integer' },
    ]);
  return ms;
}

/** X-Worklist-Priority header: the report's worklist priority, so the model's queue serves STAT first. */
function headerPriority(value: string | undefined): RequestPriority | undefined {
  if (value === undefined) return undefined;
  if (value === 'stat' || value === 'urgent' || value === 'routine') return value;
  throw new InvalidRequestError('invalid X-Worklist-Priority header', [
    { pointer: 'header:x-worklist-priority', detail: 'must be stat, urgent or routine' },
  ]);
}

/** Aborts when the client goes away before its answer is sent, so the model stops decoding for nobody. */
function clientGone(response: Response): AbortSignal {
  const controller = new AbortController();
  // 'close' also follows a normal finish; only a close before the response finished means the client left.
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

@Controller()
@UseInterceptors(InferenceProblems)
@ApiAuthenticated({ app: 'inference', scope: 'radflow.inference' })
export class InferenceController {
  constructor(@Inject(InferenceService) private readonly inference: InferenceService) {}

  @Post('v1/tasks/:task')
  @HttpCode(200)
  async task(
    @Param('task') task: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
    @Headers('x-deadline-ms') deadlineHeader?: string,
    @Headers('x-worklist-priority') priorityHeader?: string,
  ): Promise<TaskResponse> {
    if (!isTaskName(task))
      throw new InvalidRequestError('unknown task', [
        { pointer: 'path:task', detail: `not one of ${TASK_NAMES.join(', ')}` },
      ]);
    const request = validateTaskRequest(task as TaskName, body);
    const { deadlineMs, maxNewTokens, model, ...inputs } = request;
    return this.inference.runTask(task, inputs, {
      deadlineMs: this.inference.deadlineFor(deadlineMs ?? headerDeadline(deadlineHeader)),
      maxNewTokens,
      model,
      signal: clientGone(response),
      priority: headerPriority(priorityHeader),
    });
  }

  @Post('v1/enrich')
  @HttpCode(200)
  async enrich(
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
    @Headers('x-deadline-ms') deadlineHeader?: string,
    @Headers('x-worklist-priority') priorityHeader?: string,
  ): Promise<EnrichResponse> {
    const { deadlineMs, maxNewTokens, model, ...input } = validateEnrichRequest(body);
    return this.inference.enrich(input, {
      deadlineMs: this.inference.deadlineFor(deadlineMs ?? headerDeadline(deadlineHeader)),
      maxNewTokens,
      model,
      signal: clientGone(response),
      priority: headerPriority(priorityHeader),
    });
  }

  @Get('health')
  @AllowAnonymous()
  health(): { status: 'ok'; model?: { name: string; version: string } } {
    const model = this.inference.model;
    return model ? { status: 'ok', model } : { status: 'ok' };
  }

  @Get('ready')
  @AllowAnonymous()
  ready(@Res({ passthrough: true }) response: Response): object {
    if (!this.inference.ready) {
      response.status(503);
      return { ready: false };
    }
    return { ready: true, ...this.inference.status };
  }

  @Post('admin/reload')
  @HttpCode(200)
  async reload(@Body() body: unknown): Promise<object> {
    const { modelDir } = validateReloadRequest(body);
    const swapped = await this.inference.reload(modelDir);
    return { ...swapped, model: swapped.current };
  }
}
