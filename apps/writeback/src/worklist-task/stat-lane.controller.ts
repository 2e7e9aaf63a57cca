import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type Envelope } from '@radflow/events';
import type { KafkaRecordContext } from '@radflow/platform';
import type { ReportTriagedPayload } from '@radflow/schemas';
import { WorklistTaskService } from './worklist-task.service.ts';

/** The worklist priorities that skip the queue: the STAT lane writes their Tasks. */
export const STAT_LANE_LEVELS: ReadonlySet<string> = new Set(['stat']);

/**
 * The STAT lane: its own consumer group on rad.report.triaged.v1 that passes over everything but STAT reports (a
 * commit, no FHIR call), so a STAT report's Task does not wait behind a burst of routine ones in the main lane.
 * Both lanes claim the same ledger key (WORKLIST_TASK_CONSUMER), so whichever comes first writes the Task, once.
 */
@Controller()
export class WorklistTaskStatLaneController {
  constructor(@Inject(WorklistTaskService) private readonly tasks: WorklistTaskService) {}

  @EventPattern(Topics.reportTriaged)
  // Nest types extra handler arguments as unknown; the Kafka transport always passes a KafkaRecordContext.
  async onReportTriaged(
    @Payload() event: Envelope<ReportTriagedPayload>,
    @Ctx() context: unknown,
  ): Promise<void> {
    if (!STAT_LANE_LEVELS.has(event.payload.triage.priority.level)) return;
    await this.tasks.write(event, (context as KafkaRecordContext).output);
  }
}
