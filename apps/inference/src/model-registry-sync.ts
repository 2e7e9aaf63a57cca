import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@radflow/config';
import { DATABASE, LOGGER } from '@radflow/platform';
import { ModelDeployments, type Database } from '@radflow/store';
import { InferenceService } from './inference.service.ts';

export type SyncOutcome =
  | { outcome: 'reloaded'; previous: string; current: string }
  | { outcome: 'unchanged'; version: string }
  | { outcome: 'not-in-registry' }
  | { outcome: 'not-loaded'; version: string; code: string };

/**
 * Serves what the model registry (PostgreSQL, the retrainer's) says is current for the served model's name. The
 * registry, not the event stream, is the source of truth: an instance starting up reads it instead of replaying
 * old `model.promoted` events, and a promotion event only prompts a look at it, so promotions of other model names,
 * or from another installation's registry sharing the topic, change nothing.
 */
@Injectable()
export class ModelRegistrySync implements OnApplicationShutdown {
  private readonly deployments: ModelDeployments;
  private readonly logger: Logger;
  private queue: Promise<unknown> = Promise.resolve();
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(InferenceService) private readonly inference: InferenceService,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.deployments = new ModelDeployments(database);
    this.logger = logger.child({ stage: 'inference-model-registry' });
  }

  /** The served model's name, once it is loaded. */
  get modelName(): string | undefined {
    return this.inference.model?.name;
  }

  /** Brings the served model in line with the registry; one sync at a time, in call order. */
  sync(reason: string): Promise<SyncOutcome> {
    const next = this.queue.then(() => this.syncNow(reason));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** At startup: the registry may be unreachable for a while, so retry in the background until it answers. */
  async syncAtStartup(): Promise<void> {
    try {
      await this.sync('startup');
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn(
        { code: (error as { code?: string }).code ?? (error as Error).name },
        'model registry unavailable at startup; serving the configured model, retrying',
      );
      this.retry = setTimeout(() => void this.syncAtStartup(), 10_000);
      this.retry.unref();
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async syncNow(reason: string): Promise<SyncOutcome> {
    const serving = this.inference.model;
    if (!serving) return { outcome: 'not-in-registry' };
    const current = await this.deployments.current(serving.name);
    if (!current) return { outcome: 'not-in-registry' };
    if (current.version === serving.version) return { outcome: 'unchanged', version: serving.version };
    try {
      const { previous, current: loaded } = await this.inference.reload(current.modelDir);
      this.logger.info({ previous, current: loaded, reason }, 'serving the registry model');
      return { outcome: 'reloaded', previous: previous.version, current: loaded.version };
    } catch (error) {
      // A registry entry this instance cannot load (gone from disk, outside the allowed roots): keep serving.
      const code = (error as { code?: string }).code ?? (error as Error).name;
      this.logger.error(
        { name: current.name, version: current.version, code, reason },
        'registry model not loaded',
      );
      return { outcome: 'not-loaded', version: current.version, code };
    }
  }
}
