/**
 * Worker-thread entry: loads one model and serves it. ONNX Runtime's Node binding runs a model synchronously on the
 * calling thread; here that thread is this worker, so the host's event loop (HTTP, Kafka heartbeats) never waits on it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PromptInputs } from '@radflow/prompts';
import { ModelHandle, type GenerateOptions, type ModelRuntimeOptions } from './model-handle.ts';
import type { RuntimeLogger } from './logger.ts';
import { serializeError } from './worker-errors.ts';

export type WorkerRequest =
  | { type: 'call'; id: number; method: 'generate'; prompt: string; options: Omit<GenerateOptions, 'signal'> }
  | {
      type: 'call';
      id: number;
      method: 'runTask';
      task: string;
      inputs: PromptInputs;
      options: Omit<GenerateOptions, 'signal' | 'labelsOf'>;
    }
  | { type: 'cancel'; id: number }
  | { type: 'drain' };

if (!parentPort) throw new Error('model-worker.ts must run as a worker thread');
const port = parentPort;
const { dir, options } = workerData as { dir: string; options: Partial<Omit<ModelRuntimeOptions, 'logger'>> };

const logger: RuntimeLogger = {
  info: (fields, message) => port.postMessage({ type: 'log', level: 'info', fields, message }),
  warn: (fields, message) => port.postMessage({ type: 'log', level: 'warn', fields, message }),
  error: (fields, message) => port.postMessage({ type: 'log', level: 'error', fields, message }),
};

const inFlight = new Map<number, AbortController>();

function postStats(handle: ModelHandle): void {
  port.postMessage({ type: 'stats', load: handle.load, counts: handle.counts });
}

try {
  const handle = await ModelHandle.load(dir, { ...options, logger });
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'cancel') {
      inFlight.get(request.id)?.abort();
      return;
    }
    if (request.type === 'drain') {
      void handle.drainAndRelease().then(() => port.postMessage({ type: 'drained' }));
      return;
    }
    const controller = new AbortController();
    inFlight.set(request.id, controller);
    const work =
      request.method === 'generate'
        ? handle.generate(request.prompt, { ...request.options, signal: controller.signal })
        : handle.runTask(request.task, request.inputs, { ...request.options, signal: controller.signal });
    postStats(handle);
    work
      .then(
        (value) => port.postMessage({ type: 'result', id: request.id, value }),
        (error: unknown) => port.postMessage({ type: 'error', id: request.id, error: serializeError(error) }),
      )
      .finally(() => {
        inFlight.delete(request.id);
        postStats(handle);
      });
  });
  port.postMessage({
    type: 'ready',
    manifest: handle.manifest,
    provider: handle.provider,
    load: handle.load,
    counts: handle.counts,
  });
} catch (error) {
  port.postMessage({ type: 'loadError', error: serializeError(error) });
}
