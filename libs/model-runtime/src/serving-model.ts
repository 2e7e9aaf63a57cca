import type { PromptInputs, TaskName } from '@radflow/prompts';
import type { SchedulerCounts } from './batch-scheduler.ts';
import type { GenerateOptions, GenerationOutput, ModelInfo, TaskOutput } from './model-handle.ts';

/** What serving needs from a loaded model, whether it runs on this thread (ModelHandle) or a worker (WorkerModel). */
export interface ServingModel {
  readonly info: ModelInfo;
  readonly provider: string;
  readonly load: { queued: number; active: number };
  readonly counts: SchedulerCounts;
  readonly isReleased: boolean;
  prompt(task: TaskName, inputs: PromptInputs): string;
  generate(prompt: string, options: GenerateOptions): Promise<GenerationOutput>;
  runTask(
    task: string,
    inputs: PromptInputs,
    options: Omit<GenerateOptions, 'labelsOf'>,
  ): Promise<TaskOutput>;
  /** Finishes everything accepted, refuses new work, then frees the session. */
  drainAndRelease(): Promise<void>;
}
