import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import { Topics, type ConsumedRecord, type KafkaBus } from '@radflow/events';
import { CONFIG, DATABASE, KAFKA_BUS, LOGGER } from '@radflow/platform';
import type { FeedbackPayload, ReportEnrichedPayload } from '@radflow/schemas';
import { EnrichmentStore, type Database } from '@radflow/store';
import { stateOfVerdicts, worklistRow } from '@radflow/worklist-core';
import { opaqueId } from './opaque-id.ts';
import { WorklistHub } from './worklist-hub.ts';

/**
 * Live input of the open pages: rad.report.enriched.v1 (a new exam, or a newer draft of one) and rad.feedback.v1
 * (a review verdict, from any worklist instance or the feedback API). Read in a consumer group of this process
 * alone, from the latest offset: every instance must tell its own pages about every event, and history is what the
 * database already holds. An enrichment is stored (idempotently) before the pages hear of it, so a row that
 * appears can be opened at once.
 */
@Injectable()
export class WorklistFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private stop: (() => Promise<void>) | undefined;
  private readonly enrichments: EnrichmentStore;
  private readonly logger: Logger;

  constructor(
    @Inject(CONFIG) private readonly config: RadflowConfig,
    @Inject(KAFKA_BUS) private readonly bus: KafkaBus,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
    @Inject(WorklistHub) private readonly hub: WorklistHub,
  ) {
    this.enrichments = new EnrichmentStore(database);
    this.logger = logger.child({ stage: 'worklist' });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.createTopics([Topics.reportEnriched, Topics.feedback]);
    this.stop = await this.bus.subscribe({
      groupId: `${this.config.kafka.groupPrefix}-worklist-${hostname()}-${process.pid}-${Date.now()}`,
      stage: 'worklist',
      topics: [Topics.reportEnriched, Topics.feedback],
      fromBeginning: false,
      ephemeral: true,
      handle: (record) => this.handle(record),
    });
  }

  private async handle(record: ConsumedRecord): Promise<void> {
    if (record.topic === Topics.reportEnriched) {
      const { payload } = this.bus.decodeEvent<ReportEnrichedPayload>(record);
      await this.enrichments.save(payload);
      const id = opaqueId(this.config.worklist.idSecret, payload.report.accession);
      this.hub.publish({ type: 'row', row: worklistRow(payload, { id }) });
      this.logger.debug({ accessionHash: logHash(payload.report.accession) }, 'worklist row pushed');
    } else if (record.topic === Topics.feedback) {
      const { payload } = this.bus.decodeEvent<FeedbackPayload>(record);
      if (payload.source !== 'explicit') return;
      this.hub.publish({
        type: 'review',
        review: {
          id: opaqueId(this.config.worklist.idSecret, payload.accession),
          state: stateOfVerdicts(payload.outputs.map((o) => o.verdict)),
          reviewedBy: payload.reviewerId,
        },
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop?.();
    this.stop = undefined;
  }
}
