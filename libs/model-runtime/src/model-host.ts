import type { PromptInputs } from '@radflow/prompts';
import { ModelLoadError } from './errors.ts';
import { silentLogger } from './logger.ts';
import type { ServingModel } from './serving-model.ts';
import { WorkerModel } from './worker-model.ts';
import {
  ModelHandle,
  type GenerateOptions,
  type GenerationOutput,
  type ModelInfo,
  type ModelRuntimeOptions,
  type TaskOutput,
} from './model-handle.ts';

function loadModel(modelDir: string, options: Partial<ModelRuntimeOptions>): Promise<ServingModel> {
  return options.isolation === 'worker'
    ? WorkerModel.load(modelDir, options)
    : ModelHandle.load(modelDir, options);
}

/**
 * Holds the serving model and swaps it without dropping requests: the new version loads beside the old one, new
 * requests go to it as soon as it is ready, and the old one finishes what it accepted before its session is freed.
 */
export class ModelHost {
  private handle: ServingModel;
  private readonly draining = new Set<Promise<void>>();
  private reloading: Promise<unknown> = Promise.resolve();

  private constructor(
    first: ServingModel,
    private readonly options: Partial<ModelRuntimeOptions>,
  ) {
    this.handle = first;
  }

  static async start(modelDir: string, options: Partial<ModelRuntimeOptions> = {}): Promise<ModelHost> {
    return new ModelHost(await loadModel(modelDir, options), options);
  }

  get current(): ServingModel {
    return this.handle;
  }

  get model(): ModelInfo {
    return this.handle.info;
  }

  runTask(
    task: string,
    inputs: PromptInputs,
    options: Omit<GenerateOptions, 'labelsOf'>,
  ): Promise<TaskOutput> {
    return this.handle.runTask(task, inputs, options);
  }

  generate(prompt: string, options: GenerateOptions): Promise<GenerationOutput> {
    return this.handle.generate(prompt, options);
  }

  /** Loads `modelDir` and makes it the serving model; reloads run one at a time. A failed load keeps the old model. */
  reload(modelDir: string): Promise<{ previous: ModelInfo; current: ModelInfo }> {
    const next = this.reloading.then(() => this.swap(modelDir));
    this.reloading = next.catch(() => undefined);
    return next;
  }

  private async swap(modelDir: string): Promise<{ previous: ModelInfo; current: ModelInfo }> {
    const logger = this.options.logger ?? silentLogger;
    let fresh: ServingModel;
    try {
      fresh = await loadModel(modelDir, this.options);
    } catch (error) {
      logger.error(
        { code: error instanceof ModelLoadError ? error.code : 'MODEL_LOAD_FAILED' },
        'reload failed; keeping the serving model',
      );
      throw error;
    }
    const old = this.handle;
    this.handle = fresh;
    logger.info({ from: old.info, to: fresh.info }, 'model swapped; draining the previous one');
    const drained = old.drainAndRelease().finally(() => this.draining.delete(drained));
    this.draining.add(drained);
    return { previous: old.info, current: fresh.info };
  }

  /** Resolves once every previous model has finished its requests and been released. */
  async settled(): Promise<void> {
    await this.reloading;
    await Promise.all([...this.draining]);
  }

  async close(): Promise<void> {
    await this.settled();
    await this.handle.drainAndRelease();
  }
}
