import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import {
  TRACE_ID_HEADER,
  Topics,
  deadLetterRecord,
  deadLetterTopic,
  type KafkaBus,
  type OutgoingRecord,
} from '@radflow/events';
import { ackCodeOf, buildAck, splitHl7Batch } from '@radflow/hl7';
import { readInbound, type InboundKind, type InboundOutcome } from '@radflow/inbound';
import { InboundMessageError } from '@radflow/reports';
import {
  CONFIG,
  KAFKA_BUS,
  LOGGER,
  METRICS,
  traceAccession,
  traceInbound,
  type PlatformMetrics,
} from '@radflow/platform';
import { FhirReportFetcher, refusalOf, reportIdOf, type ReportFetchRefusal } from './fhir-report-fetcher.ts';
import type { GatewayOutcome, Hl7BodyOutcome } from './gateway-outcome.ts';
import type { RequestBody } from './request-body.ts';
import { httpStatusOf } from './inbound-error-status.ts';
import { StatLaneSelector } from './stat-lane-selector.ts';

export type Transport = 'mllp' | 'http';

/** A message read and stored on the inbound topic, as its STAT lane copy needs it. */
interface StoredRead {
  read: InboundOutcome & { ok: true };
  record: OutgoingRecord;
}

/** Headers the gateway adds to the records it writes, beside the dead-letter headers of libs/events. */
export const GatewayHeaders = {
  traceId: TRACE_ID_HEADER,
  /** Size of the body the sender sent, on dead letters whose value is not all of it. */
  originalBytes: 'radflow-original-bytes',
  /** "true" when the dead-letter value is only the first part of what was sent. */
  valueTruncated: 'radflow-value-truncated',
  /** On records holding a report fetched for an id-only notification: DiagnosticReport/<id>. */
  fetchedReference: 'radflow-fetched-reference',
} as const;

/**
 * When Kafka refuses a dead letter for its size (broker message.max.bytes), the record is written again with this
 * much of the value: an operator still sees what was sent, and the sender still gets a true answer.
 */
export const TRUNCATED_DEAD_LETTER_BYTES = 256 * 1024;

const BROKER_UNAVAILABLE = {
  code: 'BROKER_UNAVAILABLE',
  reason: 'message could not be stored; resend later',
};

function isTooLargeForKafka(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE';
}

function errorCode(error: unknown): string | undefined {
  const e = error as { type?: string; code?: string } | null;
  return e?.type ?? e?.code;
}

/**
 * The front door: reads each message once to answer the sender truthfully (AA / 2xx only after Kafka acknowledged
 * the write with acks=all), puts readable messages on the inbound topic and unreadable ones, with the reason and
 * their original bytes, on its dead-letter topic. FHIR notifications that only name their report are completed
 * here, from the FHIR server, so ingest never sees a report it cannot read.
 */
@Injectable()
export class InboundGatewayService {
  private readonly logger: Logger;
  private readonly outcomes;

  constructor(
    @Inject(CONFIG) private readonly config: RadflowConfig,
    @Inject(KAFKA_BUS) private readonly bus: KafkaBus,
    @Inject(LOGGER) logger: Logger,
    @Inject(FhirReportFetcher) private readonly fetcher: FhirReportFetcher,
    @Inject(METRICS) private readonly metrics: PlatformMetrics,
    @Inject(StatLaneSelector) private readonly statLane: StatLaneSelector,
  ) {
    this.logger = logger.child({ stage: 'gateway' });
    this.outcomes = metrics.counter({
      name: 'radflow_gateway_messages_total',
      help: 'Inbound messages by kind, transport (mllp, http) and outcome (accepted, dead_lettered, refused)',
      labelNames: ['app', 'kind', 'transport', 'outcome'],
    });
  }

  private count(kind: InboundKind, transport: Transport, outcome: 'accepted' | 'dead_lettered' | 'refused') {
    this.outcomes.inc({ app: 'gateway', kind, transport, outcome });
  }

  accept(
    kind: InboundKind,
    bytes: Buffer,
    transport: Transport,
    traceId: string = randomUUID(),
  ): Promise<GatewayOutcome> {
    return kind === 'hl7v2'
      ? this.acceptHl7(bytes, transport, traceId)
      : this.acceptFhir(bytes, transport, traceId);
  }

  /** One HL7 message: an MLLP frame, or a posted body holding one message. */
  acceptHl7(bytes: Buffer, transport: Transport, traceId: string = randomUUID()): Promise<GatewayOutcome> {
    return traceInbound('hl7v2', transport, () => this.acceptHl7InSpan(bytes, transport, traceId));
  }

  private async acceptHl7InSpan(
    bytes: Buffer,
    transport: Transport,
    traceId: string,
  ): Promise<GatewayOutcome> {
    const read = this.read('hl7v2', bytes);
    if (!read.ok) return this.reject('hl7v2', bytes, read.error, transport, traceId);
    traceAccession(firstReport(read)?.accession);
    const record = this.record(read, bytes, traceId);
    const failed = await this.store('hl7v2', [record], transport, traceId, bytes);
    if (failed) return failed;
    await this.toStatLane('hl7v2', [{ read, record }], traceId);
    this.logger.info(
      { kind: 'hl7v2', transport, traceId, messageIdHash: messageIdHash(read) },
      'inbound message accepted',
    );
    this.count('hl7v2', transport, 'accepted');
    return { accepted: true, traceId, httpStatus: 200, ack: buildAck(bytes, 'AA') };
  }

  /**
   * A posted HL7 body: one message, several back to back, or an FHS/BHS batch. Each message is read, stored or
   * dead-lettered and acknowledged on its own, in order (trace id `<request>:<n>` when there are several).
   * Batch-level problems (content that is no message, trailer counts saying messages were lost) are dead-lettered
   * too: with their content, or with the whole body when they have none.
   */
  async acceptHl7Body(
    body: Buffer,
    transport: Transport,
    traceId: string = randomUUID(),
  ): Promise<Hl7BodyOutcome> {
    const split = splitHl7Batch(body);
    const single = split.messages.length === 1 && split.issues.length === 0;
    const messages: GatewayOutcome[] = [];
    for (const [i, message] of split.messages.entries()) {
      messages.push(
        await this.acceptHl7(Buffer.from(message), transport, single ? traceId : `${traceId}:${i + 1}`),
      );
    }
    const issues: GatewayOutcome[] = [];
    for (const [j, issue] of split.issues.entries()) {
      const content = issue.content === undefined ? body : Buffer.from(issue.content);
      issues.push(await this.reject('hl7v2', content, issue.error, transport, `${traceId}:batch${j + 1}`));
    }
    if (!single) {
      this.logger.info(
        {
          transport,
          traceId,
          messages: messages.length,
          accepted: messages.filter((m) => m.accepted).length,
          issues: issues.length,
        },
        'HL7 body split into messages',
      );
    }
    return { messages, issues };
  }

  /**
   * A FHIR DiagnosticReport, Bundle or subscription notification. Reports a notification only names are fetched
   * first; if the FHIR server cannot answer now the sender gets 503 and nothing is written (it resends the whole
   * notification). A named report the server does not have dead-letters the notification.
   */
  acceptFhir(bytes: Buffer, transport: Transport, traceId: string = randomUUID()): Promise<GatewayOutcome> {
    return traceInbound('fhir', transport, () => this.acceptFhirInSpan(bytes, transport, traceId));
  }

  private async acceptFhirInSpan(
    bytes: Buffer,
    transport: Transport,
    traceId: string,
  ): Promise<GatewayOutcome> {
    const read = this.read('fhir', bytes);
    if (!read.ok) return this.reject('fhir', bytes, read.error, transport, traceId);
    traceAccession(firstReport(read)?.accession);

    const fetched: Array<{ reference: string; bytes: Buffer }> = [];
    const missing: ReportFetchRefusal[] = [];
    for (const reference of read.unresolved) {
      try {
        fetched.push({ reference, bytes: await this.fetcher.fetch(reference) });
      } catch (error) {
        const failure = refusalOf(error);
        if (failure.transient) {
          this.logger.warn(
            { transport, traceId, code: failure.code, reason: failure.reason },
            'named report not fetched; sender must retry',
          );
          return {
            accepted: false,
            traceId,
            httpStatus: 503,
            error: { code: failure.code, reason: failure.reason },
            ...(failure.retryAfterSeconds === undefined
              ? {}
              : { retryAfterSeconds: failure.retryAfterSeconds }),
          };
        }
        missing.push(failure);
      }
    }

    const records: OutgoingRecord[] = [];
    const reads: StoredRead[] = [];
    // The notification itself is only worth storing when it carries reports (or is all there is, e.g. a handshake).
    if (read.accepted.length + read.skipped.length > 0 || read.unresolved.length === 0) {
      records.push(this.record(read, bytes, traceId));
      reads.push({ read, record: records.at(-1)! });
    }
    const refused: GatewayOutcome[] = [];
    for (const report of fetched) {
      const fetchedRead = this.read('fhir', report.bytes);
      const reference = `DiagnosticReport/${reportIdOf(report.reference)!}`;
      if (!fetchedRead.ok) {
        refused.push(
          await this.reject('fhir', report.bytes, fetchedRead.error, transport, traceId, {
            [GatewayHeaders.fetchedReference]: reference,
          }),
        );
        continue;
      }
      records.push(
        this.record(fetchedRead, report.bytes, traceId, { [GatewayHeaders.fetchedReference]: reference }),
      );
      reads.push({ read: fetchedRead, record: records.at(-1)! });
    }
    if (missing.length > 0) {
      const reason = `${missing.length} of ${read.unresolved.length} DiagnosticReport(s) the notification names could not be fetched: ${missing[0]!.reason}`;
      refused.push(await this.reject('fhir', bytes, { ...missing[0]!, reason }, transport, traceId));
    }

    if (records.length > 0) {
      const failed = await this.store('fhir', records, transport, traceId, bytes);
      if (failed) return failed;
      await this.toStatLane('fhir', reads, traceId);
      this.logger.info(
        {
          kind: 'fhir',
          transport,
          traceId,
          records: records.length,
          fetched: fetched.length,
          messageIdHash: messageIdHash(read),
        },
        'inbound message accepted',
      );
      this.count('fhir', transport, 'accepted');
    }
    if (refused.length > 0) {
      const worst = refused.reduce((a, b) => (b.httpStatus > a.httpStatus ? b : a));
      return { ...worst, accepted: false, traceId };
    }
    return { accepted: true, traceId, httpStatus: 202 };
  }

  /** A body over the message limit: 413 / AR, and a dead letter keeping what was read of it (see README). */
  rejectOversized(
    kind: InboundKind,
    body: RequestBody,
    transport: Transport,
    traceId: string = randomUUID(),
  ): Promise<GatewayOutcome> {
    const limit = this.config.ingest.maxMessageBytes;
    const error = new InboundMessageError(
      'OVERSIZED',
      `body of ${body.totalBytes} bytes is over the ${limit}-byte limit`,
    );
    return this.reject(kind, body.bytes, error, transport, traceId, {
      [GatewayHeaders.originalBytes]: String(body.totalBytes),
      [GatewayHeaders.valueTruncated]: String(!body.complete),
    });
  }

  /** Unreadable input (bad framing, not HL7, invalid FHIR, a named report that does not exist…): dead-lettered with its bytes. */
  async reject(
    kind: InboundKind,
    bytes: Buffer,
    error: InboundMessageError | ReportFetchRefusal,
    transport: Transport,
    traceId: string = randomUUID(),
    headers: Record<string, string> = {},
  ): Promise<GatewayOutcome> {
    const hl7Ack = (code: 'AE' | 'AR') =>
      kind === 'hl7v2' && error instanceof InboundMessageError ? { ack: buildAck(bytes, code, error) } : {};
    const stored = await this.deadLetter(kind, bytes, error, traceId, headers);
    if (!stored) {
      this.count(kind, transport, 'refused');
      // Stored nowhere: the sender must resend, so the whole message is refused as "not now".
      return { accepted: false, traceId, httpStatus: 503, error: BROKER_UNAVAILABLE, ...hl7Ack('AR') };
    }
    this.logger.warn(
      { kind, transport, traceId, code: error.code, bytes: bytes.length },
      'inbound message dead-lettered',
    );
    this.count(kind, transport, 'dead_lettered');
    this.metrics.deadLettered(
      'gateway',
      kind === 'hl7v2' ? Topics.inboundHl7v2 : Topics.inboundFhir,
      error.code,
    );
    const unreadable = error instanceof InboundMessageError;
    return {
      accepted: false,
      traceId,
      httpStatus: unreadable ? httpStatusOf(error.code) : error.httpStatus,
      error: { code: error.code, reason: error.reason },
      ...hl7Ack(unreadable ? ackCodeOf(error.code) : 'AE'),
    };
  }

  private read(kind: InboundKind, bytes: Buffer): InboundOutcome {
    return readInbound(kind, bytes, {
      maxMessageBytes: this.config.ingest.maxMessageBytes,
      patientKeySalt: this.config.ingest.patientKeySalt,
    });
  }

  /**
   * Stored messages holding a report the rules make STAT go to the STAT lane too, after the inbound write (the lane
   * never holds what inbound lacks), so that their worklist Task is written without waiting behind the inbound
   * queue. Best effort: if the lane cannot be written, the main lane still writes the Task, later.
   */
  private async toStatLane(kind: InboundKind, stored: StoredRead[], traceId: string): Promise<void> {
    for (const { read, record } of stored) {
      const lane = this.statLane.laneOf(kind, read);
      if (!lane) continue;
      try {
        await this.bus.publish(lane, [record]);
        this.logger.info({ kind, traceId }, 'STAT message also sent to the STAT lane');
      } catch (error) {
        this.logger.warn(
          { kind, traceId, code: errorCode(error) },
          'STAT lane not written; the worklist Task follows the inbound queue',
        );
      }
    }
  }

  /** Keyed by the hashed patient so one patient's reports stay in order. */
  private record(
    read: InboundOutcome & { ok: true },
    value: Buffer,
    traceId: string,
    headers: Record<string, string> = {},
  ): OutgoingRecord {
    const key = read.accepted[0]?.patient.key ?? read.skipped[0]?.report.patient.key ?? null;
    return { key, value, headers: { [GatewayHeaders.traceId]: traceId, ...headers } };
  }

  /** Writes to the inbound topic; on failure, the outcome to answer with (undefined when stored). */
  private async store(
    kind: InboundKind,
    records: OutgoingRecord[],
    transport: Transport,
    traceId: string,
    original: Buffer,
  ): Promise<GatewayOutcome | undefined> {
    try {
      await this.bus.publish(kind === 'hl7v2' ? Topics.inboundHl7v2 : Topics.inboundFhir, records);
      return undefined;
    } catch (error) {
      if (isTooLargeForKafka(error)) {
        // Under our limit but over the broker's: as unreadable as an oversized body, and a resend cannot help.
        const size = records.reduce((n, r) => n + Buffer.byteLength(r.value), 0);
        const tooLarge = new InboundMessageError(
          'OVERSIZED',
          `message of ${size} bytes is larger than the broker accepts`,
        );
        return this.reject(kind, original, tooLarge, transport, traceId);
      }
      // Kafka did not take the message: tell the sender to resend rather than pretend.
      this.logger.error({ kind, transport, traceId, code: errorCode(error) }, 'could not write to Kafka');
      this.count(kind, transport, 'refused');
      return {
        accepted: false,
        traceId,
        httpStatus: 503,
        error: BROKER_UNAVAILABLE,
        ...(kind === 'hl7v2' ? { ack: buildAck(original, 'AR') } : {}),
      };
    }
  }

  /** True once the dead letter is in Kafka (whole, or its first part when the broker refuses it whole). */
  private async deadLetter(
    kind: InboundKind,
    value: Buffer,
    why: { code: string; reason: string },
    traceId: string,
    headers: Record<string, string>,
  ): Promise<boolean> {
    const topic = kind === 'hl7v2' ? Topics.inboundHl7v2 : Topics.inboundFhir;
    const write = (kept: Buffer, extra: Record<string, string>) => {
      const record = deadLetterRecord(
        {
          topic,
          partition: -1,
          offset: '-1',
          key: null,
          value: kept,
          headers: { [GatewayHeaders.traceId]: traceId, ...headers, ...extra },
        },
        { code: why.code, reason: why.reason, stage: 'gateway' },
        deadLetterTopic(topic),
      );
      return this.bus.publish(record.topic, [
        { key: null, value: kept, headers: record.headers as Record<string, string> },
      ]);
    };
    let failure: unknown;
    try {
      await write(value, {});
      return true;
    } catch (error) {
      failure = error;
    }
    if (isTooLargeForKafka(failure) && value.length > TRUNCATED_DEAD_LETTER_BYTES) {
      try {
        await write(value.subarray(0, TRUNCATED_DEAD_LETTER_BYTES), {
          [GatewayHeaders.originalBytes]: headers[GatewayHeaders.originalBytes] ?? String(value.length),
          [GatewayHeaders.valueTruncated]: 'true',
        });
        this.logger.warn(
          { kind, traceId, bytes: value.length, kept: TRUNCATED_DEAD_LETTER_BYTES },
          'dead letter too large for Kafka; first part kept',
        );
        return true;
      } catch (error) {
        failure = error;
      }
    }
    this.logger.error({ kind, traceId, code: errorCode(failure) }, 'could not dead-letter');
    return false;
  }
}

function firstReport(read: InboundOutcome & { ok: true }) {
  return read.accepted[0] ?? read.skipped[0]?.report;
}

function messageIdHash(read: InboundOutcome & { ok: true }): string | undefined {
  const first = firstReport(read);
  return first ? logHash(first.source.messageId) : undefined;
}
