import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@radflow/events';
import type { KafkaRecordContext } from '@radflow/platform';
import { WritebackService } from './writeback.service.ts';

@Controller()
export class WritebackController {
  constructor(@Inject(WritebackService) private readonly writeback: WritebackService) {}

  /** The transport has validated the envelope; the offset is committed, with the ORU, once this resolves. */
  @EventPattern(Topics.reportEnriched)
  onReportEnriched(
    @Payload() event: TopicEvent<typeof Topics.reportEnriched>,
    @Ctx() context: unknown,
  ): Promise<void> {
    // Nest types extra handler arguments as unknown; the Kafka transport always passes a KafkaRecordContext.
    return this.writeback.write(event, (context as KafkaRecordContext).output);
  }
}
