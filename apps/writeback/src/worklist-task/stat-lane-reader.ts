import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import { RulesFromLabelsLib, statTriages } from '@radflow/enrichment';
import {
  createTopicEvent,
  TRACE_ID_HEADER,
  Topics,
  type ConsumedRecord,
  type TopicEvent,
} from '@radflow/events';
import { chestXrayPolicyFrom, readInbound, type ChestXrayPolicy, type InboundKind } from '@radflow/inbound';
import { priorityPolicyFrom } from '@radflow/labels';
import { CONFIG, LOGGER } from '@radflow/platform';

/**
 * A message of the gateway's STAT lane read into the triaged events of its STAT reports, exactly as ingest and the
 * triage stage will read it later (same bytes, the site's chest X-ray policy, the same rules), so that both lanes
 * arrive at the same report version and the same ledger key. The events are carriers for the Task writer, never
 * published: rad.report.triaged.v1 gets its event from the triage stage alone.
 */
@Injectable()
export class StatLaneReader {
  private readonly rules: RulesFromLabelsLib;
  private readonly policy: ChestXrayPolicy;
  private readonly logger: Logger;

  constructor(
    @Inject(CONFIG) private readonly config: RadflowConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.rules = new RulesFromLabelsLib(priorityPolicyFrom(config.rules.priority));
    this.policy = chestXrayPolicyFrom(config.rules.chestXray);
    this.logger = logger.child({ stage: 'worklist-task-stat' });
  }

  statEvents(kind: InboundKind, record: ConsumedRecord): Array<TopicEvent<typeof Topics.reportTriaged>> {
    const read = readInbound(kind, record.value ?? Buffer.alloc(0), {
      maxMessageBytes: this.config.ingest.maxMessageBytes,
      patientKeySalt: this.config.ingest.patientKeySalt,
      policy: this.policy,
    });
    if (!read.ok) {
      // The gateway writes only messages it has read; ingest dead-letters the inbound copy if it is ever unreadable.
      this.logger.warn(
        { kind, offset: record.offset, code: read.error.code },
        'STAT lane message unreadable',
      );
      return [];
    }
    const traceId = record.headers[TRACE_ID_HEADER];
    // read.accepted already passed the site's policy (readInbound applied it).
    return statTriages(read.accepted, this.rules).map((payload) => {
      this.logger.info(
        { kind, accessionHash: logHash(payload.report.accession) },
        'STAT report in the STAT lane',
      );
      return createTopicEvent(Topics.reportTriaged, payload, {
        sourceMessageId: payload.report.source.messageId,
        ...(traceId ? { traceId } : {}),
        producer: 'worklist-task-stat',
      });
    });
  }
}
