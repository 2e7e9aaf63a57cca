import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { STAT_LANE_LEVELS } from '@radflow/enrichment';
import { Topics, type ConsumedRecord, type Envelope } from '@radflow/events';
import type { KafkaRecordContext } from '@radflow/platform';
import type { ReportTriagedPayload } from '@radflow/schemas';
import { StatLaneReader } from './stat-lane-reader.ts';
import { WorklistTaskService } from './worklist-task.service.ts';

/**
 * The STAT lane: its own consumer group, writing only STAT reports' Tasks. It reads the gateway's STAT lane topics
 * (the messages the rules made STAT as they arrived: no queue ahead of them) and, as a safety net, the triaged
 * events (passing over everything but STAT with a commit, no FHIR call). Both lanes claim the same ledger key
 * (WORKLIST_TASK_CONSUMER), so whichever comes first writes the Task, once.
 */
@Controller()
export class WorklistTaskStatLaneController {
  constructor(
    @Inject(WorklistTaskService) private readonly tasks: WorklistTaskService,
    @Inject(StatLaneReader) private readonly reader: StatLaneReader,
  ) {}

  @EventPattern(Topics.reportTriaged)
  // Nest types extra handler arguments as unknown; the Kafka transport always passes a KafkaRecordContext.
  async onReportTriaged(
    @Payload() event: Envelope<ReportTriagedPayload>,
    @Ctx() context: unknown,
  ): Promise<void> {
    if (!STAT_LANE_LEVELS.has(event.payload.triage.priority.level)) return;
    await this.tasks.write(event, (context as KafkaRecordContext).output);
  }

  @EventPattern(Topics.statLaneHl7v2)
  async onStatHl7v2(@Payload() record: ConsumedRecord, @Ctx() context: unknown): Promise<void> {
    for (const event of this.reader.statEvents('hl7v2', record))
      await this.tasks.write(event, (context as KafkaRecordContext).output);
  }

  @EventPattern(Topics.statLaneFhir)
  async onStatFhir(@Payload() record: ConsumedRecord, @Ctx() context: unknown): Promise<void> {
    for (const event of this.reader.statEvents('fhir', record))
      await this.tasks.write(event, (context as KafkaRecordContext).output);
  }
}
