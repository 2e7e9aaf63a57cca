import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type Envelope } from '@radflow/events';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { WritebackService } from './writeback.service.ts';

@Controller()
export class WritebackController {
  constructor(@Inject(WritebackService) private readonly writeback: WritebackService) {}

  /** The transport has validated the envelope; the offset is committed once this resolves. */
  @EventPattern(Topics.reportEnriched)
  onReportEnriched(@Payload() event: Envelope<ReportEnrichedPayload>): Promise<void> {
    return this.writeback.write(event);
  }
}
