import {
  Body,
  Controller,
  Get,
  Headers,
  Inject,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { describeFailure } from '@radflow/events';
import type { Logger } from '@radflow/config';
import { parseReviewAction, ReviewActionError } from '@radflow/worklist-core';
import { OPAQUE_ID } from '../opaque-id.ts';
import { WorklistHub } from '../worklist-hub.ts';
import { WorklistService } from '../worklist.service.ts';
import { SessionGuard, SignInRequiredFilter, type SignedInRequest } from './session.guard.ts';
import { WORKLIST_LOGGER } from './tokens.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

function checkedId(id: string): string {
  if (!OPAQUE_ID.test(id)) throw new NotFoundException();
  return id;
}

/**
 * The page's JSON API, signed-in users only. Paths carry opaque ids, never accession numbers; answers are
 * no-store. GET /api/events is the live stream (server-sent events).
 */
@Controller('api')
@UseGuards(SessionGuard)
@UseFilters(SignInRequiredFilter)
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
    if (!view) throw new NotFoundException();
    return view;
  }

  @Get('reports/:id/fhir')
  async fhir(@Param('id') id: string): Promise<object> {
    const result = await this.worklist.fhirResources(checkedId(id));
    if (!result) throw new NotFoundException();
    return result;
  }

  /**
   * POST /api/reports/:id/review {action: accept | edit | reject, impression?, reason?} with an Idempotency-Key
   * header (a UUID the page makes once per action): 202 once rad.feedback.v1 has it; the same key again gets the
   * same answer and publishes nothing new.
   */
  @Post('reports/:id/review')
  async review(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: SignedInRequest,
    @Res() response: Response,
  ): Promise<void> {
    checkedId(id);
    if (!idempotencyKey || !UUID.test(idempotencyKey)) {
      response
        .status(400)
        .json({ code: 'IDEMPOTENCY_KEY_REQUIRED', message: 'send an Idempotency-Key header (a UUID)' });
      return;
    }
    let action;
    try {
      action = parseReviewAction(body);
    } catch (error) {
      if (error instanceof ReviewActionError) {
        response.status(400).json({ code: error.code, message: error.message });
        return;
      }
      throw error;
    }
    const session = request.session!;
    try {
      const result = await this.worklist.review(id, action, session, idempotencyKey.toLowerCase());
      if (!result) throw new NotFoundException();
      response.status(202).json(result);
    } catch (error) {
      if (error instanceof NotFoundException) throw error;
      if (error instanceof ReviewActionError) {
        response.status(409).json({ code: error.code, message: error.message });
        return;
      }
      this.logger.warn({ code: describeFailure(error).code }, 'worklist review not published');
      response.status(503).json({
        code: 'BUS_UNAVAILABLE',
        message: 'the event bus did not take the review; try again (the same click is not counted twice)',
      });
    }
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
