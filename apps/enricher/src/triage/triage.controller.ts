import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@radflow/events';
import type { KafkaRecordContext } from '@radflow/platform';
import { TriageService } from './triage.service.ts';

@Controller()
export class TriageController {
  constructor(@Inject(TriageService) private readonly triage: TriageService) {}

  @EventPattern(Topics.reportFinalized)
  // Nest types extra handler arguments as unknown; the Kafka transport always passes a KafkaRecordContext.
  onReportFinalized(
    @Payload() event: TopicEvent<typeof Topics.reportFinalized>,
    @Ctx() context: unknown,
  ): Promise<void> {
    return this.triage.triage(event, (context as KafkaRecordContext).output);
  }
}
