import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { describeFailure } from '@radflow/events';
import type { Logger } from '@radflow/config';
import { HttpProblem } from '@radflow/platform';
import { parseReviewAction, ReviewActionError } from '@radflow/worklist-core';
import { OPAQUE_ID } from '../opaque-id.ts';
import { WorklistHub } from '../worklist-hub.ts';
import { WorklistService } from '../worklist.service.ts';
import { SessionGuard, type SignedInRequest } from './session.guard.ts';
import { WORKLIST_LOGGER } from './tokens.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

function noSuchReport(): HttpProblem {
  return new HttpProblem({ status: 404, code: 'NOT_FOUND', detail: 'no such report on the worklist' });
}

function checkedId(id: string): string {
  if (!OPAQUE_ID.test(id)) throw noSuchReport();
  return id;
}

/** A review the page cannot make (400 as sent, 409 against the report as it is): its code and why. */
function reviewActionProblem(error: ReviewActionError, status: 400 | 409): HttpProblem {
  return new HttpProblem({ status, code: error.code, detail: error.message, cause: error });
}

/**
 * The page's JSON API, signed-in users only. Paths carry opaque ids, never accession numbers; answers are
 * no-store. GET /api/events is the live stream (server-sent events).
 */
@Controller('api')
@UseGuards(SessionGuard)
export class ApiController {
  constructor(
    @Inject(WorklistService) private readonly worklist: WorklistService,
    @Inject(WorklistHub) private readonly hub: WorklistHub,
    @Inject(WORKLIST_LOGGER) private readonly logger: Logger,
  ) {}

  @Get('me')
  me(@Req() request: SignedInRequest): object {
    return { username: request.session!.username, name: request.session!.name };
  }

  @Get('worklist')
  async list(): Promise<object> {
    return { rows: await this.worklist.rows() };
  }

  @Get('reports/:id')
  async report(@Param('id') id: string): Promise<object> {
    const view = await this.worklist.report(checkedId(id));
    if (!view) throw noSuchReport();
    return view;
  }

  @Get('reports/:id/fhir')
  async fhir(@Param('id') id: string): Promise<object> {
    const result = await this.worklist.fhirResources(checkedId(id));
    if (!result) throw noSuchReport();
    return result;
  }

  /**
   * POST /api/reports/:id/review {action: accept | edit | reject, impression?, reason?} with an Idempotency-Key
   * header (a UUID the page makes once per action): 202 once rad.feedback.v1 has it; the same key again gets the
   * same answer and publishes nothing new.
   */
  @Post('reports/:id/review')
  @HttpCode(202)
  async review(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: SignedInRequest,
  ): Promise<object> {
    checkedId(id);
    if (!idempotencyKey || !UUID.test(idempotencyKey))
      throw new HttpProblem({
        status: 400,
        code: 'IDEMPOTENCY_KEY_REQUIRED',
        detail: 'send an Idempotency-Key header (a UUID)',
      });
    let action;
    try {
      action = parseReviewAction(body);
    } catch (error) {
      throw error instanceof ReviewActionError ? reviewActionProblem(error, 400) : error;
    }
    let result;
    try {
      result = await this.worklist.review(id, action, request.session!, idempotencyKey.toLowerCase());
    } catch (error) {
      if (error instanceof ReviewActionError) throw reviewActionProblem(error, 409);
      this.logger.warn({ code: describeFailure(error).code }, 'worklist review not published');
      throw new HttpProblem({
        status: 503,
        code: 'BUS_UNAVAILABLE',
        detail: 'the event bus did not take the review; try again (the same click is not counted twice)',
        cause: error,
      });
    }
    if (!result) throw noSuchReport();
    return result;
  }

  /** Server-sent events: `row` for a new enriched exam, `review` for a verdict; ends when the session does. */
  @Get('events')
  events(@Req() request: SignedInRequest, @Res() response: Response): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 2000\n\n');
    const unsubscribe = this.hub.subscribe((event) => {
      response.write(
        `event: ${event.type}\ndata: ${JSON.stringify(event.type === 'row' ? event.row : event.review)}\n\n`,
      );
    });
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    const expiry = setTimeout(() => response.end(), Math.max(0, request.session!.exp - Date.now()));
    request.on('close', () => {
      unsubscribe();
      clearInterval(keepAlive);
      clearTimeout(expiry);
    });
  }
}
