import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Topics, type TopicEvent } from '@radflow/events';
import type { KafkaRecordContext } from '@radflow/platform';
import { WorklistTaskService } from './worklist-task.service.ts';

@Controller()
export class WorklistTaskController {
  constructor(@Inject(WorklistTaskService) private readonly tasks: WorklistTaskService) {}

  @EventPattern(Topics.reportTriaged)
  // Nest types extra handler arguments as unknown; the Kafka transport always passes a KafkaRecordContext.
  onReportTriaged(
    @Payload() event: TopicEvent<typeof Topics.reportTriaged>,
    @Ctx() context: unknown,
  ): Promise<void> {
    return this.tasks.write(event, (context as KafkaRecordContext).output);
  }
}
