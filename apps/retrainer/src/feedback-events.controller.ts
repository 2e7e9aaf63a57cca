import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type Envelope } from '@radflow/events';
import type { FeedbackPayload, ReportFinalizedPayload } from '@radflow/schemas';
import { FeedbackIntakeService } from './feedback-intake.service.ts';

/** Kafka in: explicit feedback events, and finalized reports for implicit feedback (the retrainer's own group). */
@Controller()
export class FeedbackEventsController {
  constructor(@Inject(FeedbackIntakeService) private readonly intake: FeedbackIntakeService) {}

  @EventPattern(Topics.feedback)
  onFeedback(@Payload() event: Envelope<FeedbackPayload>): Promise<void> {
    return this.intake.store(event);
  }

  @EventPattern(Topics.reportFinalized)
  onFinalized(@Payload() event: Envelope<ReportFinalizedPayload>): Promise<void> {
    return this.intake.onFinalized(event);
  }
}
