import type { ModuleRef } from '@nestjs/core';
import type { RadflowConfig } from '@radflow/config';
import type { TaskAnswer, TaskOptions, TaskRunner } from '@radflow/enrichment';
import { ModelHost } from '@radflow/model-runtime';
import { MODEL_HOST, traceModelCall } from '@radflow/platform';

/**
 * Runs tasks on the model in this process: the inference app's ModelHost when it is composed in (so a hot
 * reload reaches the enricher too), otherwise a ModelHost of the enricher's own, loaded on first use.
 */
export class InProcessTaskRunner implements TaskRunner {
  private host: Promise<ModelHost> | undefined;
  private owned: ModelHost | undefined;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly config: RadflowConfig,
  ) {}

  async runTask(task: string, inputs: Record<string, string>, options: TaskOptions): Promise<TaskAnswer> {
    const host = await (this.host ??= this.resolveHost());
    return traceModelCall(task, host.current.load, () => host.runTask(task, inputs, options));
  }

  private async resolveHost(): Promise<ModelHost> {
    try {
      return this.moduleRef.get<ModelHost>(MODEL_HOST, { strict: false });
    } catch {
      const { modelDir, threads, providers, maxBatch, queueLimit } = this.config.inference;
      this.owned = await ModelHost.start(modelDir, { threads, providers, maxBatch, queueLimit });
      return this.owned;
    }
  }

  async close(): Promise<void> {
    await this.owned?.close();
  }
}
