import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type ConsumedRecord } from '@radflow/events';
import { IngestService } from './ingest.service.ts';

@Controller()
export class IngestController {
  constructor(@Inject(IngestService) private readonly ingestService: IngestService) {}

  @EventPattern(Topics.inboundHl7v2)
  onHl7v2(@Payload() record: ConsumedRecord): Promise<void> {
    return this.ingestService.ingest('hl7v2', record);
  }

  @EventPattern(Topics.inboundFhir)
  onFhir(@Payload() record: ConsumedRecord): Promise<void> {
    return this.ingestService.ingest('fhir', record);
  }
}
