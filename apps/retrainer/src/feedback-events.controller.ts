import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@radflow/events';
import { FeedbackIntakeService } from './feedback-intake.service.ts';

/** Kafka in: explicit feedback events, and finalized reports for implicit feedback (the retrainer's own group). */
@Controller()
export class FeedbackEventsController {
  constructor(@Inject(FeedbackIntakeService) private readonly intake: FeedbackIntakeService) {}

  @EventPattern(Topics.feedback)
  onFeedback(@Payload() event: TopicEvent<typeof Topics.feedback>): Promise<void> {
    return this.intake.store(event);
  }

  @EventPattern(Topics.reportFinalized)
  onFinalized(@Payload() event: TopicEvent<typeof Topics.reportFinalized>): Promise<void> {
    return this.intake.onFinalized(event);
  }
}
