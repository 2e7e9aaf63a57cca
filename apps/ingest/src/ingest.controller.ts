import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type ConsumedRecord } from '@radflow/events';
import type { KafkaRecordContext } from '@radflow/platform';
import { IngestService } from './ingest.service.ts';

@Controller()
export class IngestController {
  constructor(@Inject(IngestService) private readonly ingestService: IngestService) {}

  // Nest types extra handler arguments as unknown; the Kafka transport always passes a KafkaRecordContext.
  @EventPattern(Topics.inboundHl7v2)
  onHl7v2(@Payload() record: ConsumedRecord, @Ctx() context: unknown): Promise<void> {
    return this.ingestService.ingest('hl7v2', record, (context as KafkaRecordContext).output);
  }

  @EventPattern(Topics.inboundFhir)
  onFhir(@Payload() record: ConsumedRecord, @Ctx() context: unknown): Promise<void> {
    return this.ingestService.ingest('fhir', record, (context as KafkaRecordContext).output);
  }
}
