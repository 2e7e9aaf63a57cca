import type { ModuleRef } from '@nestjs/core';
import type { RadflowConfig } from '@radflow/config';
import { MODEL_NOT_FOUND, type TaskAnswer, type TaskOptions, type TaskRunner } from '@radflow/enrichment';
import { ModelHost } from '@radflow/model-runtime';
import { MODEL_HOST, traceModelCall } from '@radflow/platform';

/**
 * Runs tasks on the model in this process: the inference app's ModelHost when it is composed in (so a hot
 * reload reaches the enricher too), otherwise a ModelHost of the enricher's own, loaded on first use.
 */
export class InProcessTaskRunner implements TaskRunner {
  private host: Promise<Pick<ModelHost, 'runTask'>> | undefined;
  private owned: ModelHost | undefined;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly config: RadflowConfig,
  ) {}

  async runTask(task: string, inputs: Record<string, string>, options: TaskOptions): Promise<TaskAnswer> {
    const host = await (this.host ??= this.resolveHost());
    const owned = this.owned;
    // The composed inference app's runner (MODEL_HOST) is not a ModelHost: it traces and counts its own calls
    // (InferenceService.runTask); only a ModelHost of the enricher's own is traced here.
    if (host !== owned || !owned) return host.runTask(task, inputs, options);
    // A model of the enricher's own serves its one version; the router falls back to it for any other.
    const { model } = options;
    if (model && (model.name !== owned.model.name || model.version !== owned.model.version))
      throw Object.assign(new Error('the in-process model serves one version'), { code: MODEL_NOT_FOUND });
    return traceModelCall(task, owned.current.load, () => owned.runTask(task, inputs, options));
  }

  private async resolveHost(): Promise<Pick<ModelHost, 'runTask'>> {
    try {
      return this.moduleRef.get<Pick<ModelHost, 'runTask'>>(MODEL_HOST, { strict: false });
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
