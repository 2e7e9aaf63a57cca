import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger, RadflowConfig } from '@radflow/config';
import type { KafkaBus, TopicEvent, Topics } from '@radflow/events';
import { CONFIG, DATABASE, KAFKA_BUS, LOGGER } from '@radflow/platform';
import type { Database } from '@radflow/store';
import { retrainerSettings } from '../retrainer-settings.ts';
import { registryModelName, retrainingParts } from '../retraining-parts.ts';
import { canaryParts } from './canary-parts.ts';
import { ShadowDrafter } from './shadow-drafter.ts';
import { ShadowEvaluation, type ShadowStep } from './shadow-evaluation.ts';

/** The shadow stage in a radflow host: ShadowEvaluation over the host's database, broker and logger. */
@Injectable()
export class ShadowStageService implements OnApplicationShutdown {
  private readonly drafter: ShadowDrafter;
  private readonly evaluation: ShadowEvaluation;

  constructor(
    @Inject(CONFIG) config: RadflowConfig,
    @Inject(KAFKA_BUS) bus: KafkaBus,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
  ) {
    const settings = retrainerSettings(config);
    const log = logger.child({ stage: 'retrainer-shadow' });
    this.drafter = new ShadowDrafter(settings.evaluation);
    this.evaluation = new ShadowEvaluation(
      canaryParts(retrainingParts(database, bus, log, settings), database),
      this.drafter,
      registryModelName(settings),
      log,
    );
  }

  onFinalized(event: TopicEvent<typeof Topics.reportFinalized>): Promise<ShadowStep> {
    return this.evaluation.onFinalized(event.payload.report, new Date(event.producedAt));
  }

  onApplicationShutdown(): Promise<void> {
    return this.drafter.release();
  }
}
