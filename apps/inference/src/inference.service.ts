import { Inject, Injectable, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createLogger } from '@radflow/config';
import {
  ModelHost,
  ModelLoadError,
  ModelUnavailableError,
  type ModelInfo,
  type RequestPriority,
  type SchedulerCounts,
  type TaskOutput,
} from '@radflow/model-runtime';
import type { PromptInputs, TaskName } from '@radflow/prompts';
import { METRICS, traceModelCall, type PlatformMetrics } from '@radflow/platform';
import type { InferenceEnrichResponse, InferenceTaskResponse, ModelSelector } from '@radflow/schemas';
import { isAbsolute, relative, resolve } from 'node:path';
import { InferenceMetrics } from './inference-metrics.ts';
import { INFERENCE_OPTIONS, type InferenceOptions } from './inference.options.ts';
import { ModelSessions } from './model-sessions.ts';

/** A task's answer as the API returns it (schemas/api/inference.task-response.v1): a draft naming its model. */
export type TaskResponse = InferenceTaskResponse;

/** The enrichment set for one report (schemas/api/inference.enrich-response.v1). */
export type EnrichResponse = InferenceEnrichResponse;

/** How one request is served: its time budget, answer budget, cancellation and worklist priority. */
export interface TaskRequestOptions {
  deadlineMs: number;
  maxNewTokens?: number | undefined;
  signal?: AbortSignal | undefined;
  /** The report's worklist priority: the queue admits STAT first. */
  priority?: RequestPriority | undefined;
  /** A registered version to answer instead of the serving model (a canary, a radiologist's model). */
  model?: ModelSelector | undefined;
}

export interface EnrichInput {
  findings: string;
  report: string;
  priorReport?: string;
}

/** A reload target outside the allowed model roots. */
export class ModelDirNotAllowedError extends Error {
  override readonly name = 'ModelDirNotAllowedError';
  readonly code = 'MODEL_DIR_NOT_ALLOWED';
}

/**
 * A request named a model version the registry does not hold (or this instance has no registry). A 404, not an
 * answer from the serving model: the caller routed on purpose (a canary's share, a radiologist's model) and decides
 * what to do instead, and whatever answers is named in the response.
 */
export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
  readonly code = 'MODEL_NOT_FOUND';
}

/** The session cache's key of one registered version. */
const sessionKey = (model: ModelSelector) => `${model.name}@${model.version}`;

function asResponse(output: TaskOutput): TaskResponse {
  const { answer, ...rest } = output;
  return { ...rest, status: 'preliminary', aiGenerated: true, result: answer };
}

/**
 * Serves the model: Rad-Phi2 tasks, the enrichment set for one report, and hot reload. The lead wires `reload`
 * to rad.model.events.v1 as well as to POST /admin/reload.
 */
@Injectable()
export class InferenceService implements OnModuleInit, OnApplicationShutdown {
  private host: ModelHost | undefined;
  /** Versions requests named, beside the serving model (which is pinned: it is not in this cache). */
  private readonly sessions: ModelSessions<ModelHost>;
  private readonly logger;
  private readonly metrics: InferenceMetrics | undefined;

  constructor(
    @Inject(INFERENCE_OPTIONS) private readonly options: InferenceOptions,
    // The host's registry; absent where the module is composed into a bare Nest app.
    @Optional() @Inject(METRICS) metrics?: PlatformMetrics,
  ) {
    this.logger = options.logger ?? createLogger('inference');
    this.metrics = metrics ? new InferenceMetrics(metrics, this) : undefined;
    this.sessions = new ModelSessions((options.maxLoadedModels ?? 3) - 1);
  }

  async onModuleInit(): Promise<void> {
    this.host = await this.start(this.options.modelDir);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.host?.close(), this.sessions.close()]);
  }

  private start(modelDir: string): Promise<ModelHost> {
    return ModelHost.start(modelDir, {
      providers: this.options.providers,
      threads: this.options.threads,
      maxBatch: this.options.maxBatch,
      queueLimit: this.options.queueLimit,
      maxWaitMs: this.options.maxWaitMs,
      continuous: true,
      isolation: this.options.isolation ?? 'worker',
      quantized: this.options.quantized ?? false,
      logger: this.logger,
    });
  }

  private get serving(): ModelHost {
    if (!this.host) throw new ModelUnavailableError('model is still loading');
    return this.host;
  }

  get ready(): boolean {
    return this.host !== undefined;
  }

  /** The serving model, or undefined while it loads. */
  get model(): ModelInfo | undefined {
    return this.host?.model;
  }

  get status(): {
    model: ModelInfo;
    provider: string;
    queued: number;
    active: number;
    counts: SchedulerCounts;
    loadedModels: { model: ModelInfo; queued: number; active: number; counts: SchedulerCounts }[];
  } {
    const handle = this.serving.current;
    return {
      model: handle.info,
      provider: handle.provider,
      ...handle.load,
      counts: handle.counts,
      loadedModels: this.sessions.loaded.map(({ session }) => ({
        model: session.model,
        ...session.current.load,
        counts: session.current.counts,
      })),
    };
  }

  deadlineFor(requested: number | undefined): number {
    return requested ?? this.options.defaultDeadlineMs;
  }

  async runTask(task: TaskName, inputs: PromptInputs, request: TaskRequestOptions): Promise<TaskResponse> {
    const { deadlineMs, maxNewTokens, signal, priority, model } = request;
    const run = (host: ModelHost) =>
      traceModelCall(task, host.current.load, () =>
        host.runTask(task, inputs, {
          deadlineMs,
          ...(maxNewTokens ? { maxNewTokens } : {}),
          ...(signal ? { signal } : {}),
          ...(priority ? { priority } : {}),
        }),
      );
    let output: TaskOutput;
    try {
      const serving = this.serving;
      output =
        !model || (model.name === serving.model.name && model.version === serving.model.version)
          ? await run(serving)
          : await this.sessions.use(sessionKey(model), () => this.load(model), run);
    } catch (error) {
      this.metrics?.failed(task, error);
      throw error;
    }
    this.metrics?.succeeded(output);
    return asResponse(output);
  }

  /** Runs the enrichment tasks for one report together, so they share a batch and one deadline. */
  async enrich(input: EnrichInput, request: TaskRequestOptions): Promise<EnrichResponse> {
    const { signal } = request;
    // The tasks are submitted together so they share a batch; all are submitted before any awaits, so the
    // deadline budget is the same for each. If one fails, the others are cancelled: the call has failed anyway.
    const siblings = new AbortController();
    const cancelAll = () => siblings.abort();
    signal?.addEventListener('abort', cancelAll, { once: true });
    const run = (task: TaskName, inputs: PromptInputs) =>
      this.runTask(task, inputs, { ...request, signal: siblings.signal }).catch((error: unknown) => {
        cancelAll();
        throw error;
      });
    const withPrior = input.priorReport !== undefined;
    const prior = { report: input.report, priorReport: input.priorReport ?? '' };
    const [impression, abnormalities, devices, temporalFindings, temporalProgression] = await Promise.all([
      run('impression', { findings: input.findings }),
      run('abnormality_labels', { report: input.report }),
      run('device_labels', { report: input.report }),
      withPrior ? run('temporal_findings', prior) : undefined,
      withPrior ? run('temporal_progression', prior) : undefined,
    ]).finally(() => signal?.removeEventListener('abort', cancelAll));
    const labels = (r: TaskResponse) => (r.result?.format === 'labels' ? r.result.labels : []);
    const tasks: EnrichResponse['tasks'] = {
      impression,
      abnormality_labels: abnormalities,
      device_labels: devices,
    };
    if (temporalFindings) tasks.temporal_findings = temporalFindings;
    if (temporalProgression) tasks.temporal_progression = temporalProgression;
    return {
      model: impression.model,
      status: 'preliminary',
      aiGenerated: true,
      draftImpression: impression.result?.format === 'text' ? impression.result.text : null,
      abnormalities: labels(abnormalities),
      devices: labels(devices),
      temporal:
        temporalFindings && temporalProgression
          ? {
              added: temporalFindings.result?.format === 'added_removed' ? temporalFindings.result.added : [],
              removed:
                temporalFindings.result?.format === 'added_removed' ? temporalFindings.result.removed : [],
              changed:
                temporalProgression.result?.format === 'progression'
                  ? temporalProgression.result.progression
                  : [],
            }
          : null,
      tasks,
    };
  }

  /** Hot reload: loads `modelDir` beside the serving model, switches new requests to it, drains the old one. */
  async reload(modelDir: string): Promise<{ previous: ModelInfo; current: ModelInfo }> {
    const swapped = await this.serving.reload(this.allowedDir(modelDir));
    // A canary promoted to serving may also be loaded as a requested version: requests for it now go to the serving
    // model, so that copy would only hold memory.
    this.sessions.drop(sessionKey(swapped.current));
    return swapped;
  }

  /**
   * Loads a registered version a request named, from the registry's model directory (under the allowed roots,
   * like a reload), into a session of its own: one per version, shared by every request for it.
   */
  private async load(model: ModelSelector): Promise<ModelHost> {
    const modelDir = await this.options.locateModel?.(model.name, model.version);
    if (modelDir === undefined)
      throw new ModelNotFoundError(`the model registry holds no ${model.name} ${model.version}`);
    const host = await this.start(this.allowedDir(modelDir));
    if (host.model.name !== model.name || host.model.version !== model.version) {
      await host.close();
      throw new ModelLoadError(modelDir, 'its manifest names another model than the registry entry');
    }
    this.logger.info({ model: host.model, loaded: this.sessions.size }, 'model version loaded on request');
    return host;
  }

  private allowedDir(modelDir: string): string {
    const target = resolve(modelDir);
    const allowed = this.options.allowedModelRoots.some((root) => {
      const rel = relative(resolve(root), target);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    });
    if (!allowed) throw new ModelDirNotAllowedError('modelDir is outside the allowed model roots');
    return target;
  }
}
