import type { Provider } from '@nestjs/common';
import type { PromptInputs, TaskName } from '@radflow/prompts';
import type { RequestPriority } from '@radflow/model-runtime';
import type { ModelSelector } from '@radflow/schemas';
import { MODEL_HOST } from '@radflow/platform';
import { InferenceService } from './inference.service.ts';

/**
 * The serving model as a task runner for other apps in the same process (the enricher in the embedded
 * default): they share its batches and its loaded versions (a request may name one), and a hot reload reaches them
 * too.
 */
export const modelHostProvider: Provider = {
  provide: MODEL_HOST,
  inject: [InferenceService],
  useFactory: (inference: InferenceService) => ({
    runTask: async (
      task: string,
      inputs: PromptInputs,
      options: { deadlineMs: number; priority?: RequestPriority; model?: ModelSelector },
    ) => {
      const response = await inference.runTask(task as TaskName, inputs, options);
      return { model: response.model, answer: response.result };
    },
  }),
};
