export { writebackApp, WritebackModule } from './writeback.module.ts';
export { WritebackService, WRITEBACK_CONSUMER } from './writeback.service.ts';
export { FhirWriter } from './fhir-writer.ts';
export { FHIR_WRITER } from './tokens.ts';
export {
  worklistTaskApp,
  worklistTaskStatLaneApp,
  WorklistTaskModule,
  WorklistTaskStatLaneModule,
} from './worklist-task/worklist-task.module.ts';
export { WorklistTaskService, WORKLIST_TASK_CONSUMER } from './worklist-task/worklist-task.service.ts';
