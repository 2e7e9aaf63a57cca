import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import {
  eventAccession,
  eventTypeOfTopic,
  isKafkaClientError,
  isPermanent,
  isTransient,
  needsGroupRejoin,
  PermanentError,
  TransientError,
  type ConsumedRecord,
  type HandlerContext,
  type KafkaBus,
  type RecordOutput,
  type StartFrom,
  type Topic,
  traceAccession,
} from '@radflow/events';
import { isTransientDatabaseError } from '@radflow/store';

/** What an @EventPattern handler receives besides the payload (use with @Ctx()). */
export class KafkaRecordContext extends BaseRpcContext<[ConsumedRecord, HandlerContext]> {
  get record(): ConsumedRecord {
    return this.getArgByIndex(0);
  }
  heartbeat(): Promise<void> {
    return this.getArgByIndex(1).heartbeat();
  }
  /**
   * The record's output: publish here (not on the KafkaBus) what the handler produces, and hand the idempotency
   * ledger this as its commit hook. It goes out in one transaction with the record's offset once the handler resolves.
   */
  get output(): RecordOutput {
    return this.getArgByIndex(1).output;
  }
}

/**
 * The Nest transport id of a stage: the host binds each app's @EventPattern handlers to its own stage, so a
 * transport (one consumer group) runs only its app's handlers, never another app's handler of the same topic.
 */
export function stageTransport(stage: string): symbol {
  return Symbol.for(`radflow.stage.${stage}`);
}

export interface KafkaEventTransportOptions {
  bus: KafkaBus;
  /** One consumer group per app, so each app can also run (and scale) alone. */
  groupId: string;
  stage: string;
  topics: string[];
  /** A per-process group, deleted when the transport closes (KafkaBus Subscription.ephemeral). */
  ephemeral?: boolean;
  /** Where the group starts without a committed offset; default: the bus's (KAFKA_START_FROM). */
  startFrom?: StartFrom;
  /** Records committed together (KafkaBus Subscription.maxBatchRecords); default 1. */
  maxBatchRecords?: number;
}

/**
 * A NestJS transport over radflow's KafkaBus: @EventPattern(topic) handlers receive the validated event
 * envelope (or, on inbound topics, the raw record), and the offset is committed only after the handler's
 * promise resolves, together with the output it staged. Errors keep their class, so transient ones are retried and
 * permanent ones dead-lettered; a database that is unreachable or restarting counts as transient.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  private stop: (() => Promise<void>) | undefined;

  constructor(private readonly options: KafkaEventTransportOptions) {
    super();
    // Only handlers bound to this stage (or to no transport at all) are registered with this server.
    this.setTransportId(stageTransport(options.stage));
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      for (const topic of this.options.topics) {
        if (!this.getHandlerByPattern(topic))
          throw new Error(`no @EventPattern('${topic}') handler for ${this.options.stage}`);
      }
      this.stop = await this.options.bus.subscribe({
        groupId: this.options.groupId,
        stage: this.options.stage,
        topics: this.options.topics,
        ephemeral: this.options.ephemeral ?? false,
        ...(this.options.startFrom ? { startFrom: this.options.startFrom } : {}),
        ...(this.options.maxBatchRecords ? { maxBatchRecords: this.options.maxBatchRecords } : {}),
        handle: (record, context) => this.dispatch(record, context),
      });
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async dispatch(record: ConsumedRecord, context: HandlerContext): Promise<void> {
    const handler = this.getHandlerByPattern(record.topic);
    if (!handler) throw new PermanentError(`no handler for topic ${record.topic}`, 'NO_HANDLER');
    const carriesEvent = eventTypeOfTopic[record.topic as Topic] !== undefined;
    const payload = carriesEvent ? this.options.bus.decodeEvent(record) : record;
    // The record's span (libs/events) gets the accession's keyed hash, as the stage's log lines do.
    if (carriesEvent) traceAccession(eventAccession(payload));
    try {
      const result = await handler(payload, new KafkaRecordContext([record, context]));
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    } catch (error) {
      if (isPermanent(error) || isTransient(error) || needsGroupRejoin(error)) throw error;
      // Checked before the database: a kafkajs connection error carries ECONNREFUSED too.
      if (isKafkaClientError(error))
        throw new TransientError('Kafka unavailable', 'KAFKA_UNAVAILABLE', { cause: error });
      if (isTransientDatabaseError(error))
        throw new TransientError('database unavailable', 'DATABASE_UNAVAILABLE', { cause: error });
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.stop?.();
    this.stop = undefined;
  }

  on(): never {
    throw new Error('KafkaEventTransport does not support event listeners');
  }

  unwrap<T>(): T {
    return this.options.bus as T;
  }
}
