import { Body, Controller, Get, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { describeFailure, TRACE_ID_HEADER } from '@radflow/events';
import { ApiAuthenticated, HttpProblem, LOGGER } from '@radflow/platform';
import type { Logger } from '@radflow/config';
import type { FeedbackResponse } from '@radflow/schemas';
import { feedbackPayloadFrom } from './feedback-request.ts';
import { FeedbackIntakeService } from './feedback-intake.service.ts';
import { RetrainingService } from './retraining.service.ts';

/**
 * POST /v1/feedback (schemas/api/feedback-request.v1.schema.json): validated, then published on rad.feedback.v1;
 * 202 once the broker has it. 400 with JSON pointers for a bad body, 503 when the broker cannot take it; errors are
 * problems (schemas/api/problem.v1.schema.json).
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
  @HttpCode(202)
  async submit(@Body() body: unknown, @Headers(TRACE_ID_HEADER) traceId?: string): Promise<FeedbackResponse> {
    // A body that does not fit is an InvalidFeedbackError: 400 with its JSON pointers.
    const payload = feedbackPayloadFrom(body);
    try {
      const event = await this.intake.submit(payload, traceId);
      return { feedbackId: payload.feedbackId, eventId: event.id, status: 'accepted' };
    } catch (error) {
      this.logger.warn({ code: describeFailure(error).code }, 'feedback not published');
      throw new HttpProblem({
        status: 503,
        code: 'BUS_UNAVAILABLE',
        detail: 'the event bus did not accept the feedback; retry with the same feedbackId',
        cause: error,
      });
    }
  }

  @Get('v1/retraining/status')
  status(): Promise<object> {
    return this.retraining.status();
  }
}
