import { Body, Controller, Get, Headers, Inject, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { describeFailure } from '@radflow/events';
import { ApiAuthenticated, LOGGER } from '@radflow/platform';
import type { Logger } from '@radflow/config';
import { feedbackPayloadFrom, InvalidFeedbackError } from './feedback-request.ts';
import { FeedbackIntakeService } from './feedback-intake.service.ts';
import { RetrainingService } from './retraining.service.ts';

/**
 * POST /v1/feedback (schemas/api/feedback-request.v1.schema.json): validated, then published on rad.feedback.v1;
 * 202 once the broker has it. 400 with JSON paths for a bad body, 503 when the broker cannot take it.
 */
@Controller()
@ApiAuthenticated({ app: 'retrainer', scope: 'radflow.feedback' })
export class FeedbackApiController {
  constructor(
    @Inject(FeedbackIntakeService) private readonly intake: FeedbackIntakeService,
    @Inject(RetrainingService) private readonly retraining: RetrainingService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('v1/feedback')
  async submit(
    @Body() body: unknown,
    @Res() response: Response,
    @Headers('radflow-trace-id') traceId?: string,
  ): Promise<void> {
    let payload;
    try {
      payload = feedbackPayloadFrom(body);
    } catch (error) {
      if (error instanceof InvalidFeedbackError) {
        response.status(400).json({ code: error.code, message: error.message, problems: error.problems });
        return;
      }
      throw error;
    }
    try {
      const event = await this.intake.submit(payload, traceId);
      response.status(202).json({ feedbackId: payload.feedbackId, eventId: event.id, status: 'accepted' });
    } catch (error) {
      this.logger.warn({ code: describeFailure(error).code }, 'feedback not published');
      response.status(503).json({
        code: 'BUS_UNAVAILABLE',
        message: 'the event bus did not accept the feedback; retry with the same feedbackId',
      });
    }
  }

  @Get('v1/retraining/status')
  status(): Promise<object> {
    return this.retraining.status();
  }
}
