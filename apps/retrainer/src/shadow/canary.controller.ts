import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@radflow/events';
import { CanaryStageService } from './canary-stage.service.ts';

/** Kafka in: enriched reports (the drafts radiologists were shown), in the canary stage's own consumer group. */
@Controller()
export class CanaryController {
  constructor(@Inject(CanaryStageService) private readonly canary: CanaryStageService) {}

  @EventPattern(Topics.reportEnriched)
  async onEnriched(@Payload() event: TopicEvent<typeof Topics.reportEnriched>): Promise<void> {
    await this.canary.onEnriched(event);
  }
}
