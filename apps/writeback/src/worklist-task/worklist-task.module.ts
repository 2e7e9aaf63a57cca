import { Module, type DynamicModule } from '@nestjs/common';
import type { RadflowConfig } from '@radflow/config';
import { Topics } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { FhirWriter } from '../fhir-writer.ts';
import { FHIR_WRITER } from '../tokens.ts';
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
