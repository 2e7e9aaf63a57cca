import { Inject, Injectable } from '@nestjs/common';
import type { Logger, RadflowConfig } from '@radflow/config';
import type { KafkaBus, TopicEvent, Topics } from '@radflow/events';
import { CONFIG, DATABASE, KAFKA_BUS, LOGGER } from '@radflow/platform';
import type { Database } from '@radflow/store';
import { retrainerSettings } from '../retrainer-settings.ts';
import { registryModelName, retrainingParts } from '../retraining-parts.ts';
import { canaryParts } from './canary-parts.ts';
import { CanaryEvaluation, type CanaryStep } from './canary-evaluation.ts';

/** The canary stage in a radflow host: CanaryEvaluation over the host's database, broker and logger. */
@Injectable()
export class CanaryStageService {
  private readonly evaluation: CanaryEvaluation;

  constructor(
    @Inject(CONFIG) config: RadflowConfig,
    @Inject(KAFKA_BUS) bus: KafkaBus,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
  ) {
    const settings = retrainerSettings(config);
    const log = logger.child({ stage: 'retrainer-canary' });
    this.evaluation = new CanaryEvaluation(
      canaryParts(retrainingParts(database, bus, log, settings), database),
      registryModelName(settings),
      log,
    );
  }

  onEnriched(event: TopicEvent<typeof Topics.reportEnriched>): Promise<CanaryStep> {
    return this.evaluation.onEnriched(event.payload);
  }
}
