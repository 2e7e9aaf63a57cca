import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import { Topics, deadLetterRecord, deadLetterTopic, type KafkaBus } from '@radflow/events';
import { buildAck } from '@radflow/hl7';
import { readInbound, type InboundKind } from '@radflow/inbound';
import type { InboundMessageError } from '@radflow/reports';
import { CONFIG, KAFKA_BUS, LOGGER } from '@radflow/platform';

export interface GatewayOutcome {
  accepted: boolean;
  traceId: string;
  /** HL7 acknowledgment for HL7 senders. */
  ack?: string;
  error?: { code: string; reason: string; httpStatus: number };
}

/**
 * The front door: reads each message once to answer the sender truthfully (AA only after Kafka acknowledged
 * the write with acks=all), puts readable messages on the inbound topic and unreadable ones, with the
 * reason and their original bytes, on its dead-letter topic.
 */
@Injectable()
export class InboundGatewayService {
  private readonly logger: Logger;

  constructor(
    @Inject(CONFIG) private readonly config: RadflowConfig,
    @Inject(KAFKA_BUS) private readonly bus: KafkaBus,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ stage: 'gateway' });
  }

  /** Unreadable input (bad framing, not HL7, invalid FHIR…): dead-lettered with its bytes, answered AE/AR. */
  async reject(
    kind: InboundKind,
    bytes: Buffer,
    error: InboundMessageError,
    transport: 'mllp' | 'http',
    traceId: string = randomUUID(),
  ): Promise<GatewayOutcome> {
    const topic = kind === 'hl7v2' ? Topics.inboundHl7v2 : Topics.inboundFhir;
    const record = deadLetterRecord(
      { topic, partition: -1, offset: '-1', key: null, value: bytes, headers: { 'radflow-trace-id': traceId } },
      { code: error.code, reason: error.reason, stage: 'gateway' },
      deadLetterTopic(topic),
    );
    const failure = { code: error.code, reason: error.reason, httpStatus: error.httpStatus };
    try {
      await this.bus.publish(record.topic, [{ key: null, value: bytes, headers: record.headers as Record<string, string> }]);
    } catch (publishError) {
      this.logger.error({ kind, transport, traceId, code: (publishError as { code?: string }).code }, 'could not dead-letter');
      // Not stored anywhere: the sender must resend, so reject the whole message.
      return { accepted: false, traceId, ...(kind === 'hl7v2' ? { ack: buildAck(bytes, 'AR', error) } : {}), error: failure };
    }
    this.logger.warn({ kind, transport, traceId, code: error.code, bytes: bytes.length }, 'inbound message rejected');
    return { accepted: false, traceId, ...(kind === 'hl7v2' ? { ack: buildAck(bytes, error.ackCode, error) } : {}), error: failure };
  }

  async accept(kind: InboundKind, bytes: Buffer, transport: 'mllp' | 'http'): Promise<GatewayOutcome> {
    const traceId = randomUUID();
    const topic = kind === 'hl7v2' ? Topics.inboundHl7v2 : Topics.inboundFhir;
    const outcome = readInbound(kind, bytes, {
      maxMessageBytes: this.config.ingest.maxMessageBytes,
      patientKeySalt: this.config.ingest.patientKeySalt,
    });
    if (!outcome.ok) return this.reject(kind, bytes, outcome.error, transport, traceId);
    try {
      const key = outcome.accepted[0]?.patient.key ?? outcome.skipped[0]?.report.patient.key ?? null;
      await this.bus.publish(topic, [{ key, value: bytes, headers: { 'radflow-trace-id': traceId } }]);
      const first = outcome.accepted[0] ?? outcome.skipped[0]?.report;
      this.logger.info(
        { kind, transport, traceId, messageIdHash: first ? logHash(first.source.messageId) : undefined },
        'inbound message accepted',
      );
      return { accepted: true, traceId, ...(kind === 'hl7v2' ? { ack: buildAck(bytes, 'AA') } : {}) };
    } catch (error) {
      // Kafka did not take the message: tell the sender to resend rather than pretend.
      this.logger.error({ kind, transport, traceId, code: (error as { code?: string }).code }, 'could not write to Kafka');
      return {
        accepted: false,
        traceId,
        ...(kind === 'hl7v2' ? { ack: buildAck(bytes, 'AR') } : {}),
        error: { code: 'BROKER_UNAVAILABLE', reason: 'message could not be stored; resend later', httpStatus: 503 },
      };
    }
  }
}
