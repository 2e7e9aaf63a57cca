import { Worker } from 'node:worker_threads';
import { buildPrompt, type PromptInputs, type TaskName } from '@radflow/prompts';
import type { SchedulerCounts } from './batch-scheduler.ts';
import { GenerationFailedError, ModelUnavailableError } from './errors.ts';
import { silentLogger, type RuntimeLogger } from './logger.ts';
import type { ModelManifest } from './manifest.ts';
import type {
  GenerateOptions,
  GenerationOutput,
  ModelInfo,
  ModelRuntimeOptions,
  TaskOutput,
} from './model-handle.ts';
import type { WorkerRequest } from './model-worker.ts';
import type { ServingModel } from './serving-model.ts';
import { deserializeError, type SerializedError } from './worker-errors.ts';

type WorkerMessage =
  | {
      type: 'ready';
      manifest: ModelManifest;
      provider: string;
      load: WorkerModel['load'];
      counts: SchedulerCounts;
    }
  | { type: 'loadError'; error: SerializedError }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; fields: object; message: string }
  | { type: 'stats'; load: WorkerModel['load']; counts: SchedulerCounts }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'drained' };

interface Call {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** Node flags for the worker: TypeScript sources need tsx's loader, which the host may not have been started with. */
function workerExecArgv(): string[] {
  return process.execArgv.some((arg) => arg.includes('tsx'))
    ? process.execArgv
    : [...process.execArgv, '--import', 'tsx'];
}

/**
 * A model served from its own worker thread (the default for the inference service): the same API as ModelHandle,
 * typed errors included, while the host thread stays free for HTTP and Kafka during model runs.
 */
export class WorkerModel implements ServingModel {
  private readonly calls = new Map<number, Call>();
  private nextId = 1;
  private released = false;
  private stats: { load: WorkerModel['load']; counts: SchedulerCounts };
  private drained: (() => void) | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly manifest: ModelManifest,
    readonly provider: string,
    initial: { load: WorkerModel['load']; counts: SchedulerCounts },
  ) {
    this.stats = initial;
  }

  static load(modelDir: string, options: Partial<ModelRuntimeOptions> = {}): Promise<WorkerModel> {
    const { logger = silentLogger, ...cloneable } = options;
    const worker = new Worker(new URL('./model-worker.ts', import.meta.url), {
      workerData: { dir: modelDir, options: cloneable },
      execArgv: workerExecArgv(),
    });
    return new Promise<WorkerModel>((resolve, reject) => {
      let model: WorkerModel | undefined;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'log') return forward(logger, message);
        if (message.type === 'ready') {
          model = new WorkerModel(worker, message.manifest, message.provider, message);
          return resolve(model);
        }
        if (message.type === 'loadError') {
          void worker.terminate();
          return reject(deserializeError(message.error));
        }
        model?.receive(message);
      });
      worker.on('error', (error) => {
        if (model) model.fail(error);
        else reject(new ModelUnavailableError(`model worker failed to start: ${error.message}`));
      });
      worker.on('exit', (code) => model?.fail(new Error(`model worker exited with code ${code}`)));
    });
  }

  get info(): ModelInfo {
    return { name: this.manifest.name, version: this.manifest.version };
  }

  get load(): { queued: number; active: number } {
    return this.stats.load;
  }

  get counts(): SchedulerCounts {
    return this.stats.counts;
  }

  get isReleased(): boolean {
    return this.released;
  }

  prompt(task: TaskName, inputs: PromptInputs): string {
    return buildPrompt(task, inputs, { specialTokens: this.manifest.specialTokens });
  }

  generate(prompt: string, options: GenerateOptions): Promise<GenerationOutput> {
    const { signal, ...rest } = options;
    return this.call<GenerationOutput>({ method: 'generate', prompt, options: rest }, signal);
  }

  runTask(
    task: string,
    inputs: PromptInputs,
    options: Omit<GenerateOptions, 'labelsOf'>,
  ): Promise<TaskOutput> {
    const { signal, ...rest } = options;
    return this.call<TaskOutput>({ method: 'runTask', task, inputs, options: rest }, signal);
  }

  async drainAndRelease(): Promise<void> {
    if (this.released) return;
    const done = new Promise<void>((resolve) => (this.drained = resolve));
    this.worker.postMessage({ type: 'drain' } satisfies WorkerRequest);
    await done;
    this.released = true;
    await this.worker.terminate();
  }

  private call<T>(
    request:
      | { method: 'generate'; prompt: string; options: Omit<GenerateOptions, 'signal'> }
      | {
          method: 'runTask';
          task: string;
          inputs: PromptInputs;
          options: Omit<GenerateOptions, 'signal' | 'labelsOf'>;
        },
    signal: AbortSignal | undefined,
  ): Promise<T> {
    if (this.released)
      return Promise.reject(
        new ModelUnavailableError(`model ${this.manifest.name} ${this.manifest.version} was released`),
      );
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => this.worker.postMessage({ type: 'cancel', id } satisfies WorkerRequest);
      const finish = () => signal?.removeEventListener('abort', onAbort);
      this.calls.set(id, {
        resolve: (value) => {
          finish();
          resolve(value as T);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      });
      this.worker.postMessage({ type: 'call', id, ...request } as WorkerRequest);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private receive(message: WorkerMessage): void {
    if (message.type === 'stats') this.stats = { load: message.load, counts: message.counts };
    else if (message.type === 'drained') this.drained?.();
    else if (message.type === 'result' || message.type === 'error') {
      const call = this.calls.get(message.id);
      this.calls.delete(message.id);
      if (message.type === 'result') call?.resolve(message.value);
      else call?.reject(deserializeError(message.error));
    }
  }

  private fail(error: Error): void {
    if (this.released) return;
    this.released = true;
    const failure = new GenerationFailedError(error);
    for (const call of this.calls.values()) call.reject(failure);
    this.calls.clear();
    this.drained?.();
  }
}

function forward(
  logger: RuntimeLogger,
  message: { level: 'info' | 'warn' | 'error'; fields: object; message: string },
): void {
  logger[message.level](message.fields, message.message);
}
