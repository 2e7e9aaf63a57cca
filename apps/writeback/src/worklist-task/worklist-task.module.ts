import { Module, type DynamicModule } from '@nestjs/common';
import type { RadflowConfig } from '@radflow/config';
import { Topics } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { FhirWriter } from '../fhir-writer.ts';
import { FHIR_WRITER } from '../tokens.ts';
import { StatLaneReader } from './stat-lane-reader.ts';
import { WorklistTaskStatLaneController } from './stat-lane.controller.ts';
import { WorklistTaskController } from './worklist-task.controller.ts';
import { WorklistTaskService } from './worklist-task.service.ts';

@Module({})
export class WorklistTaskModule {
  static forRoot(config: RadflowConfig): DynamicModule {
    return {
      module: WorklistTaskModule,
      controllers: [WorklistTaskController],
      providers: [{ provide: FHIR_WRITER, useValue: new FhirWriter(config.fhir) }, WorklistTaskService],
    };
  }
}

/** Triaged reports → the FHIR worklist Task (rules' priority), ahead of and apart from the AI writeback. */
export const worklistTaskApp: RadflowApp = {
  name: 'worklist-task',
  module: (config) => WorklistTaskModule.forRoot(config),
  consumes: { stage: 'worklist-task', topics: [Topics.reportTriaged], microBatch: true },
};

@Module({})
export class WorklistTaskStatLaneModule {
  static forRoot(config: RadflowConfig): DynamicModule {
    return {
      module: WorklistTaskStatLaneModule,
      controllers: [WorklistTaskStatLaneController],
      providers: [
        { provide: FHIR_WRITER, useValue: new FhirWriter(config.fhir) },
        WorklistTaskService,
        StatLaneReader,
      ],
    };
  }
}

/**
 * The STAT lane of the worklist Task (STAT reports only, its own consumer group): the gateway's STAT lane topics,
 * which hold only STAT messages, so no routine burst is ever ahead; the triaged events as a safety net. Micro-batched like the main lane: passing over routine records then costs one commit
 * per batch, and the Task itself is written before any commit.
 */
export const worklistTaskStatLaneApp: RadflowApp = {
  name: 'worklist-task-stat',
  module: (config) => WorklistTaskStatLaneModule.forRoot(config),
  consumes: {
    stage: 'worklist-task-stat',
    topics: [Topics.statLaneHl7v2, Topics.statLaneFhir, Topics.reportTriaged],
    microBatch: true,
  },
};
