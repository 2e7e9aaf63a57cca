import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger, RadflowConfig } from '@radflow/config';
import type { KafkaBus } from '@radflow/events';
import { CONFIG, DATABASE, KAFKA_BUS, LOGGER } from '@radflow/platform';
import type { Database } from '@radflow/store';
import {
  RetrainingPipeline,
  RunInProgressError,
  type RadiologistDue,
  type RunOptions,
  type RunOutcome,
} from './retraining-pipeline.ts';
import { retrainerSettings } from './retrainer-settings.ts';

const POLICY_CHECK_MS = 30_000;

/**
 * Applies the retraining policy: checked shortly after feedback arrives and on a timer (for the schedule). A run
 * goes on in the background, never inside a Kafka handler, one at a time. The shared model is checked first; when it
 * is not due, each radiologist due for a model of their own gets one run, one after another.
 */
@Injectable()
export class RetrainingService implements OnModuleInit, OnApplicationShutdown {
  readonly pipeline: RetrainingPipeline;
  private readonly logger: Logger;
  /** The run in progress (or the radiologists' runs, one after another). */
  private running: Promise<unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pendingCheck: NodeJS.Timeout | undefined;
  private lastOutcome: RunOutcome | undefined;
  private stopped = false;

  constructor(
    @Inject(CONFIG) config: RadflowConfig,
    @Inject(KAFKA_BUS) bus: KafkaBus,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ stage: 'retrainer' });
    this.pipeline = new RetrainingPipeline(database, bus, this.logger, retrainerSettings(config));
  }

  onModuleInit(): void {
    if (!this.pipeline.settings.autoRetrain) return;
    this.timer = setInterval(() => void this.check('timer'), POLICY_CHECK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.pendingCheck);
    // A run in progress is left to finish its current step; the next start marks it abandoned if it did not.
    await Promise.race([
      this.running?.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]);
  }

  /** Called after new feedback is stored: a burst of feedback leads to one policy check. */
  feedbackArrived(): void {
    if (!this.pipeline.settings.autoRetrain || this.pendingCheck) return;
    this.pendingCheck = setTimeout(() => {
      this.pendingCheck = undefined;
      void this.check('feedback');
    }, 1000);
    this.pendingCheck.unref();
  }

  private async check(reason: string): Promise<void> {
    if (this.stopped || this.running) return;
    try {
      const decision = await this.pipeline.policyDecision(false);
      this.logger.debug({ reason, decision }, 'retraining policy checked');
      if (decision.run) {
        this.start({ trigger: decision.trigger });
        return;
      }
      const due = await this.pipeline.radiologistsDue(false);
      if (due.length > 0 && !this.stopped && !this.running) this.startRadiologists(due);
    } catch (error) {
      this.logger.warn({ code: (error as Error).name }, 'retraining policy check failed');
    }
  }

  /** Starts a run in the background (the policy's, or an operator's); the returned promise ends with the run. */
  start(options: RunOptions): Promise<RunOutcome> {
    if (this.running) return Promise.reject(new RunInProgressError(this.pipeline.modelName));
    const run = this.pipeline.run(options);
    this.running = run;
    run
      .then((outcome) => {
        this.lastOutcome = outcome;
      })
      .catch((error: Error) => this.logger.warn({ code: error.name }, 'retraining run not started'))
      .finally(() => {
        this.running = undefined;
      });
    return run;
  }

  /** One run per due radiologist, in turn, in the background (a failed one does not stop the others). */
  private startRadiologists(due: readonly RadiologistDue[]): void {
    const runs = (async (): Promise<void> => {
      for (const { pipeline, decision } of due) {
        if (this.stopped) break;
        this.logger.info(
          { name: pipeline.modelName, radiologistKey: pipeline.radiologistKey, reason: decision.reason },
          'radiologist model due for retraining',
        );
        try {
          this.lastOutcome = await pipeline.run({ trigger: `radiologist-${decision.trigger}` });
        } catch (error) {
          this.logger.warn(
            { name: pipeline.modelName, code: (error as Error).name },
            'retraining run not started',
          );
        }
      }
    })();
    this.running = runs;
    void runs.finally(() => {
      this.running = undefined;
    });
  }

  async status(): Promise<object> {
    const name = this.pipeline.modelName;
    const [current, decision] = await Promise.all([
      this.pipeline.parts.deployments.current(name),
      this.pipeline.policyDecision(this.running !== undefined),
    ]);
    return {
      model: current ? { name, version: current.version, modelDir: current.modelDir } : { name },
      running: this.running !== undefined,
      policy: decision,
      lastRun: this.lastOutcome
        ? {
            runId: this.lastOutcome.runId,
            status: this.lastOutcome.status,
            candidateVersion: this.lastOutcome.candidateVersion,
            seconds: this.lastOutcome.seconds,
          }
        : null,
    };
  }
}
