import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import {
  createTopicEvent,
  PermanentError,
  Topics,
  TRACE_ID_HEADER,
  type ConsumedRecord,
  type RecordOutput,
} from '@radflow/events';
import { CONFIG, DATABASE, LOGGER } from '@radflow/platform';
import { IdempotencyLedger, type Database } from '@radflow/store';
import { chestXrayPolicyFrom, readInbound, type ChestXrayPolicy, type InboundKind } from '@radflow/inbound';

const consumerName = 'ingest';

/** Inbound topics → validated canonical `rad.report.finalized.v1`; unreadable messages → dead letter. */
@Injectable()
export class IngestService {
  private readonly ledger: IdempotencyLedger;
  private readonly logger: Logger;
  /** The finalized chest X-ray filter: the built-in one, or the site's (RADFLOW_RULES_FILE). */
  private readonly policy: ChestXrayPolicy;

  constructor(
    @Inject(CONFIG) private readonly config: RadflowConfig,
    @Inject(DATABASE) database: Database,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.ledger = new IdempotencyLedger(database);
    this.policy = chestXrayPolicyFrom(config.rules.chestXray);
    this.logger = logger.child({ stage: consumerName });
  }

  /** `output`: the record's (the finalized events go out with its offset in one transaction, see KafkaBus). */
  async ingest(kind: InboundKind, record: ConsumedRecord, output: RecordOutput): Promise<void> {
    const bytes = record.value ?? Buffer.alloc(0);
    // The same bytes sent twice (interface engine resend, Kafka redelivery) are ingested once.
    const contentKey = createHash('sha256').update(bytes).digest('hex');
    await this.ledger.runOnce(
      consumerName,
      `${kind}:${contentKey}`,
      async () => {
        const outcome = readInbound(kind, bytes, {
          maxMessageBytes: this.config.ingest.maxMessageBytes,
          patientKeySalt: this.config.ingest.patientKeySalt,
          policy: this.policy,
        });
        if (!outcome.ok) {
          throw new PermanentError(
            `${outcome.error.reason}${outcome.error.location ? ` at ${outcome.error.location}` : ''}`,
            outcome.error.code,
          );
        }
        if (outcome.unresolved.length > 0) {
          // The gateway fetches what a notification only names; one that reached this topic some other way is flagged.
          this.logger.warn(
            { kind, unresolved: outcome.unresolved.length },
            'notification names reports it does not carry',
          );
        }
        for (const skipped of outcome.skipped) {
          this.logger.info(
            {
              kind,
              messageIdHash: logHash(skipped.report.source.messageId),
              code: skipped.code,
              reason: skipped.reason,
            },
            'report skipped',
          );
        }
        for (const report of outcome.accepted) {
          const event = createTopicEvent(
            Topics.reportFinalized,
            { report },
            {
              sourceMessageId: report.source.messageId,
              ...(record.headers[TRACE_ID_HEADER] ? { traceId: record.headers[TRACE_ID_HEADER] } : {}),
              producer: consumerName,
            },
          );
          await output.publishEvent(Topics.reportFinalized, report.patient.key, event);
          this.logger.info(
            {
              kind,
              eventId: event.id,
              traceId: event.traceId,
              accessionHash: logHash(report.accession),
              status: report.status,
            },
            'finalized chest X-ray report published',
          );
        }
        // The ledger keeps what became of the message: an operator (or a test) can tell skipped from lost.
        return {
          accepted: outcome.accepted.length,
          skipped: outcome.skipped.length,
          ...(outcome.skipped.length > 0 ? { skipCodes: outcome.skipped.map((s) => s.code) } : {}),
          ...(outcome.unresolved.length > 0 ? { unresolved: outcome.unresolved.length } : {}),
        };
      },
      output,
    );
  }
}
