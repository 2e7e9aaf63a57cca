import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@radflow/events';
import { ShadowStageService } from './shadow-stage.service.ts';

/** Kafka in: finalized reports, in the shadow stage's own consumer group (apart from feedback intake's). */
@Controller()
export class ShadowController {
  constructor(@Inject(ShadowStageService) private readonly shadow: ShadowStageService) {}

  @EventPattern(Topics.reportFinalized)
  async onFinalized(@Payload() event: TopicEvent<typeof Topics.reportFinalized>): Promise<void> {
    await this.shadow.onFinalized(event);
  }
}
