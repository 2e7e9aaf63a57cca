import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import {
  eventTypeOfTopic,
  PermanentError,
  type ConsumedRecord,
  type HandlerContext,
  type KafkaBus,
  type Topic,
} from '@radflow/events';

/** What an @EventPattern handler receives besides the payload (use with @Ctx()). */
export class KafkaRecordContext extends BaseRpcContext<[ConsumedRecord, HandlerContext]> {
  get record(): ConsumedRecord {
    return this.getArgByIndex(0);
  }
  heartbeat(): Promise<void> {
    return this.getArgByIndex(1).heartbeat();
  }
}

export interface KafkaEventTransportOptions {
  bus: KafkaBus;
  /** One consumer group per app, so each app can also run (and scale) alone. */
  groupId: string;
  stage: string;
  topics: string[];
  /** A per-process group, deleted when the transport closes (KafkaBus Subscription.ephemeral). */
  ephemeral?: boolean;
}

/**
 * A NestJS transport over radflow's KafkaBus: @EventPattern(topic) handlers receive the validated event
 * envelope (or, on inbound topics, the raw record), and the offset is committed only after the handler's
 * promise resolves. Errors keep their class, so transient ones are retried and permanent ones dead-lettered.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  private stop: (() => Promise<void>) | undefined;

  constructor(private readonly options: KafkaEventTransportOptions) {
    super();
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
    const result = await handler(payload, new KafkaRecordContext([record, context]));
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
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
