import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import { createTopicEvent, Topics, type TopicEvent, type RecordOutput } from '@radflow/events';
import { CONFIG, DATABASE, LOGGER } from '@radflow/platform';
import { EnrichmentStore, IdempotencyLedger, ReportStore, type Database } from '@radflow/store';
import { ReportEnricher, type ModelClient, type RuleLabeler } from '@radflow/enrichment';
import { chestXrayPolicyFrom } from '@radflow/inbound';
import { FhirPriorLookup } from './fhir-prior-lookup.ts';
import { PriorReportFinder } from './prior-report-finder.ts';
import { MODEL_CLIENT, RULE_LABELER } from './tokens.ts';

const consumerName = 'enricher';

/** rad.report.finalized.v1 → model drafts + rule labels + prior diff + priority → rad.report.enriched.v1. */
@Injectable()
export class EnricherService {
  private readonly ledger: IdempotencyLedger;
  private readonly reports: ReportStore;
  private readonly enrichments: EnrichmentStore;
  private readonly priors: PriorReportFinder;
  private readonly logger: Logger;
  private readonly enricher: ReportEnricher;

  constructor(
    @Inject(CONFIG) config: RadflowConfig,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
    @Inject(MODEL_CLIENT) model: ModelClient,
    @Inject(RULE_LABELER) rules: RuleLabeler,
  ) {
    this.logger = logger.child({ stage: consumerName });
    this.enricher = new ReportEnricher(model, rules, {
      deadlineMs: config.inference.deadlineMs,
      labelSource: config.inference.labelSource,
      checkDraftImpression: config.inference.checkDraftImpression,
      onModelUnavailable: (report, failure) =>
        this.logger.warn(
          { accessionHash: logHash(report.accession), failure },
          'model unavailable, rules-only enrichment',
        ),
    });
    this.ledger = new IdempotencyLedger(database);
    this.reports = new ReportStore(database);
    this.enrichments = new EnrichmentStore(database);
    const fhir = config.fhir.priorLookup
      ? new FhirPriorLookup({
          baseUrl: config.fhir.baseUrl,
          timeoutMs: config.fhir.timeoutMs,
          patientKeySalt: config.ingest.patientKeySalt,
          chestXray: chestXrayPolicyFrom(config.rules.chestXray),
          identifierSystems: config.fhir.identifierSystems,
          auth: config.fhir.auth,
        })
      : undefined;
    this.priors = new PriorReportFinder(this.reports, fhir, this.logger);
  }

  /**
   * One finalized report, once per accession and report version: the ledger claim (atomic) keeps any other worker
   * off it, the enriched event goes out with the consumed offset in one Kafka transaction (record.output), and the
   * claim is marked done only once that transaction has committed.
   */
  async enrich(
    event: TopicEvent<typeof Topics.reportFinalized>,
    record: { heartbeat(): Promise<void>; output: RecordOutput },
  ): Promise<void> {
    const { report } = event.payload;
    const key = `${report.accession}|${report.reportVersion}`;
    const work = async () => {
      const prior = await this.priors.find(report);
      await this.reports.save(report);
      const payload = await this.enricher.enrich(report, prior);
      await record.heartbeat();
      const { enrichment } = payload;
      const enriched = createTopicEvent(Topics.reportEnriched, payload, {
        sourceMessageId: event.sourceMessageId,
        traceId: event.traceId,
        producer: consumerName,
      });
      await record.output.publishEvent(Topics.reportEnriched, report.patient.key, enriched);
      // Kept for feedback pairing; a keyed insert, so a repeat after a failed commit changes nothing.
      await this.enrichments.save(payload);
      this.logger.info(
        {
          traceId: event.traceId,
          accessionHash: logHash(report.accession),
          model: `${enrichment.model.name}@${enrichment.model.version}`,
          degraded: enrichment.degraded,
          priority: enrichment.priority.level,
          hasPrior: Boolean(prior),
        },
        'report enriched',
      );
      return { eventId: enriched.id, degraded: enrichment.degraded };
    };
    await this.ledger.runOnce(consumerName, key, work, record.output);
  }
}
