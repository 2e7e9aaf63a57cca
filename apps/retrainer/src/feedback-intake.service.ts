import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger } from '@radflow/config';
import { createTopicEvent, Topics, type TopicEvent, type KafkaBus } from '@radflow/events';
import { accessionKey, feedbackRecords, implicitFeedback } from '@radflow/feedback';
import { DATABASE, KAFKA_BUS, LOGGER, METRICS, type PlatformMetrics } from '@radflow/platform';
import type { FeedbackPayload } from '@radflow/schemas';
import { EnrichmentStore, FeedbackStore, type Database } from '@radflow/store';
import { RetrainingService } from './retraining.service.ts';

/**
 * Feedback in: rad.feedback.v1 events are completed with the stored draft and kept in PostgreSQL (once per
 * feedback id and output); a signed or amended report that follows a draft becomes implicit feedback. Logs carry
 * hashes and counts only.
 */
@Injectable()
export class FeedbackIntakeService {
  private readonly feedback: FeedbackStore;
  private readonly enrichments: EnrichmentStore;
  private readonly logger: Logger;
  private readonly stored;

  constructor(
    @Inject(KAFKA_BUS) private readonly bus: KafkaBus,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
    @Inject(RetrainingService) private readonly retraining: RetrainingService,
    @Inject(METRICS) metrics: PlatformMetrics,
  ) {
    this.stored = metrics.counter({
      name: 'radflow_feedback_total',
      help: 'Feedback verdicts stored for retraining, by source (explicit, implicit), output and verdict',
      labelNames: ['app', 'source', 'output', 'verdict'],
    });
    this.feedback = new FeedbackStore(database);
    this.enrichments = new EnrichmentStore(database);
    this.logger = logger.child({ stage: 'retrainer' });
  }

  /** Publishes feedback as an event (the API's path); resolves once the broker has it (acks=all). */
  async submit(payload: FeedbackPayload, traceId?: string): Promise<TopicEvent<typeof Topics.feedback>> {
    const event = createTopicEvent(Topics.feedback, payload, {
      sourceMessageId: payload.feedbackId,
      ...(traceId ? { traceId } : {}),
      producer: 'retrainer',
    });
    await this.bus.publishEvent(Topics.feedback, accessionKey(payload.accession), event);
    return event;
  }

  async store(event: TopicEvent<typeof Topics.feedback>): Promise<void> {
    const payload = event.payload;
    const enrichment = await this.enrichments.latestForAccession(payload.accession);
    const inserted = await this.feedback.save(feedbackRecords(payload, enrichment));
    this.logger.info(
      {
        eventId: event.id,
        feedbackId: payload.feedbackId,
        accessionHash: logHash(payload.accession),
        reviewerHash: logHash(payload.reviewerId),
        source: payload.source,
        outputs: payload.outputs.map((o) => `${o.output}:${o.verdict}`),
        inserted,
        draftFound: enrichment !== undefined,
      },
      inserted > 0 ? 'feedback stored' : 'feedback already stored',
    );
    if (inserted > 0) {
      for (const { output, verdict } of payload.outputs)
        this.stored.inc({ app: 'retrainer', source: payload.source, output, verdict });
      this.retraining.feedbackArrived();
    }
  }

  async onFinalized(event: TopicEvent<typeof Topics.reportFinalized>): Promise<void> {
    const report = event.payload.report;
    const enrichment = await this.enrichments.latestDraftBefore(report.accession, report.reportVersion);
    const result = implicitFeedback(report, enrichment);
    if ('skipped' in result) {
      this.logger.debug(
        { eventId: event.id, accessionHash: logHash(report.accession), reason: result.skipped },
        'no implicit feedback',
      );
      return;
    }
    // Stored directly (not re-published): the finalized event already is the durable record of what arrived.
    await this.store({
      ...createTopicEvent(Topics.feedback, result.payload, {
        sourceMessageId: event.sourceMessageId,
        traceId: event.traceId,
        producer: 'retrainer',
      }),
    });
  }
}
