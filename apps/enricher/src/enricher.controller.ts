import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@radflow/events';
import type { KafkaRecordContext } from '@radflow/platform';
import { EnricherService } from './enricher.service.ts';

@Controller()
export class EnricherController {
  constructor(@Inject(EnricherService) private readonly enricher: EnricherService) {}

  @EventPattern(Topics.reportFinalized)
  // Nest types extra handler arguments as unknown; the Kafka transport always passes a KafkaRecordContext.
  onReportFinalized(
    @Payload() event: TopicEvent<typeof Topics.reportFinalized>,
    @Ctx() context: unknown,
  ): Promise<void> {
    return this.enricher.enrich(event, context as KafkaRecordContext);
  }
}
