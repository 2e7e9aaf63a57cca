import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type Envelope } from '@radflow/events';
import type { KafkaRecordContext } from '@radflow/platform';
import type { ReportFinalizedPayload } from '@radflow/schemas';
import { EnricherService } from './enricher.service.ts';

@Controller()
export class EnricherController {
  constructor(@Inject(EnricherService) private readonly enricher: EnricherService) {}

  @EventPattern(Topics.reportFinalized)
  // Nest types extra handler arguments as unknown; the Kafka transport always passes a KafkaRecordContext.
  onReportFinalized(
    @Payload() event: Envelope<ReportFinalizedPayload>,
    @Ctx() context: unknown,
  ): Promise<void> {
    return this.enricher.enrich(event, context as KafkaRecordContext);
  }
}
