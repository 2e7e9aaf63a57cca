import { Body, Controller, Get, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { describeFailure, TRACE_ID_HEADER } from '@radflow/events';
import { ApiAuthenticated, DATABASE, HttpProblem, LOGGER } from '@radflow/platform';
import type { Logger } from '@radflow/config';
import type { FeedbackResponse, RetrainingStatus } from '@radflow/schemas';
import type { Database } from '@radflow/store';
import { feedbackPayloadFrom } from './feedback-request.ts';
import { FeedbackIntakeService } from './feedback-intake.service.ts';
import { RetrainingService } from './retraining.service.ts';
import { liveEvaluations } from './retraining-status.ts';
import { canaryParts } from './shadow/canary-parts.ts';

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
    @Inject(DATABASE) private readonly database: Database,
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

  /**
   * GET /v1/retraining/status (schemas/api/retraining-status.v1.schema.json): the retraining service's state and the
   * live evaluations under way (shadow and canary, with their running comparisons and intervals).
   */
  @Get('v1/retraining/status')
  async status(): Promise<RetrainingStatus> {
    const { pipeline } = this.retraining;
    const [service, evaluations] = await Promise.all([
      this.retraining.status(),
      liveEvaluations(canaryParts(pipeline.parts, this.database), pipeline.modelName),
    ]);
    return { ...(service as Omit<RetrainingStatus, 'shadows' | 'canaries'>), ...evaluations };
  }
}
