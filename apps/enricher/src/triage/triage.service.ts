import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger } from '@radflow/config';
import { triageReport, type RuleLabeler } from '@radflow/enrichment';
import { createTopicEvent, Topics, type TopicEvent, type RecordOutput } from '@radflow/events';
import { DATABASE, LOGGER } from '@radflow/platform';
import { IdempotencyLedger, type Database } from '@radflow/store';
import { RULE_LABELER } from '../tokens.ts';

export const TRIAGE_CONSUMER = 'triage';

/**
 * rad.report.finalized.v1 → the rules' worklist priority → rad.report.triaged.v1, in its own consumer group so that
 * it never waits behind the model: a STAT report is flagged (and its FHIR worklist Task written downstream) while
 * the drafts of the reports before it are still being generated. Once per report version (the ledger's claim, the
 * event committed with the consumed offset).
 */
@Injectable()
export class TriageService {
  private readonly ledger: IdempotencyLedger;
  private readonly logger: Logger;

  constructor(
    @Inject(RULE_LABELER) private readonly rules: RuleLabeler,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.ledger = new IdempotencyLedger(database);
    this.logger = logger.child({ stage: TRIAGE_CONSUMER });
  }

  async triage(event: TopicEvent<typeof Topics.reportFinalized>, output: RecordOutput): Promise<void> {
    const { report } = event.payload;
    await this.ledger.runOnce(
      TRIAGE_CONSUMER,
      `${report.accession}|${report.reportVersion}`,
      async () => {
        const payload = triageReport(report, this.rules);
        const priority = payload.triage.priority;
        const triaged = createTopicEvent(Topics.reportTriaged, payload, {
          sourceMessageId: event.sourceMessageId,
          traceId: event.traceId,
          producer: TRIAGE_CONSUMER,
        });
        await output.publishEvent(Topics.reportTriaged, report.patient.key, triaged);
        this.logger.info(
          { traceId: event.traceId, accessionHash: logHash(report.accession), priority: priority.level },
          'report triaged',
        );
        return { eventId: triaged.id, priority: priority.level };
      },
      output,
    );
  }
}
