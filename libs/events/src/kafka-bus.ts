import { Kafka, logLevel as kafkaLogLevel, type Consumer, type KafkaConfig, type Producer } from 'kafkajs';
import type { Logger } from '@radflow/config';
import { deadLetterRecord } from './dead-letter.ts';
import type { Envelope } from './envelope.ts';
import { describeFailure, isPermanent, isTransient } from './errors.ts';
import { EventValidator } from './event-validator.ts';
import { backoffDelayMs, defaultRetryPolicy, type RetryPolicy } from './retry-policy.ts';
import { deadLetterTopic } from './topics.ts';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  sessionTimeoutMs?: number;
}

/** One consumed record as the handlers see it: bytes untouched, headers as strings. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

export interface HandlerContext {
  /** Keep the group membership alive during slow steps (model calls, FHIR retries). */
  heartbeat(): Promise<void>;
}

export type RecordHandler = (record: ConsumedRecord, context: HandlerContext) => Promise<void>;

export interface Subscription {
  groupId: string;
  topics: string[];
  /** Names the stage in dead-letter headers and logs (ingest, enricher, writeback…). */
  stage: string;
  handle: RecordHandler;
  fromBeginning?: boolean;
  retryPolicy?: RetryPolicy;
  /**
   * The group belongs to this process alone (a broadcast reader: every inference instance must see every model
   * promotion). It is deleted from the broker when the consumer stops, so restarts leave no stale groups behind.
   */
  ephemeral?: boolean;
}

export interface OutgoingRecord {
  key: string | Buffer | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The only module that knows kafkajs: producing with acks=all, and consuming with offsets committed only
 * after the handler's work is durable (or the record is safely in its dead-letter topic).
 */
export class KafkaBus {
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private readonly consumers: Consumer[] = [];
  /** Per-process groups to delete once their consumer has left (see Subscription.ephemeral). */
  private readonly ephemeralGroups = new Map<Consumer, string>();
  private readonly validator: EventValidator = new EventValidator();
  private stopping = false;

  constructor(
    private readonly options: KafkaBusOptions,
    private readonly logger: Logger,
  ) {
    const config: KafkaConfig = {
      clientId: options.clientId,
      brokers: options.brokers,
      ssl: options.ssl ?? false,
      logLevel: kafkaLogLevel.WARN,
      logCreator: () => (entry) => {
        if (entry.level <= kafkaLogLevel.WARN)
          this.logger.warn({ kafka: entry.log.message, namespace: entry.namespace });
      },
      retry: { retries: 8, initialRetryTime: 200 },
    };
    if (options.sasl) config.sasl = options.sasl as KafkaConfig['sasl'];
    this.kafka = new Kafka(config);
  }

  async createTopics(topics: string[], numPartitions = 3): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
      });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  /** Resolves only once every in-sync replica has the records (acks=all). */
  async publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    const producer = await this.connectedProducer();
    await producer.send({ topic, acks: -1, messages: records });
  }

  /** Validates the event against schemas/ before it leaves: an invalid event is a bug, never sent. */
  async publishEvent(topic: string, key: string, event: Envelope<unknown>): Promise<void> {
    this.validator.assertValidEvent(event);
    await this.publish(topic, [
      {
        key,
        value: JSON.stringify(event),
        headers: {
          'radflow-event-type': event.type,
          'radflow-trace-id': event.traceId,
          'content-type': 'application/json',
        },
      },
    ]);
  }

  /** Reads and validates an event record; a bad one throws a permanent error (dead-lettered by the caller). */
  decodeEvent<TPayload>(record: ConsumedRecord): Envelope<TPayload> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.value?.toString('utf8') ?? '');
    } catch {
      throw Object.assign(new Error('event is not valid JSON'), { code: 'INVALID_JSON', permanent: true });
    }
    this.validator.assertValidEvent(parsed);
    return parsed as Envelope<TPayload>;
  }

  /** Starts consuming; resolves once the group is joined and returns a function that stops this consumer. */
  async subscribe(subscription: Subscription): Promise<() => Promise<void>> {
    const consumer = this.kafka.consumer({
      groupId: subscription.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 45_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: true,
    });
    this.consumers.push(consumer);
    if (subscription.ephemeral) this.ephemeralGroups.set(consumer, subscription.groupId);
    await consumer.connect();
    await consumer.subscribe({
      topics: subscription.topics,
      fromBeginning: subscription.fromBeginning ?? true,
    });
    const joined = new Promise<void>((resolve) => {
      const stopListening = consumer.on(consumer.events.GROUP_JOIN, () => {
        stopListening();
        resolve();
      });
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const record: ConsumedRecord = {
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString() ?? '']),
          ),
          timestamp: message.timestamp,
        };
        await this.processWithRetries(subscription, record, heartbeat);
        await consumer.commitOffsets([
          { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      },
    });
    await Promise.race([joined, sleep(this.options.sessionTimeoutMs ?? 45_000)]);
    return async () => {
      const index = this.consumers.indexOf(consumer);
      if (index >= 0) this.consumers.splice(index, 1);
      await consumer.disconnect();
      await this.deleteEphemeralGroups([consumer]);
    };
  }

  /** Deletes the groups of stopped ephemeral consumers; a failure is logged, never thrown (the broker expires them). */
  private async deleteEphemeralGroups(stopped: Consumer[]): Promise<void> {
    const groupIds = stopped.flatMap((consumer) => {
      const groupId = this.ephemeralGroups.get(consumer);
      this.ephemeralGroups.delete(consumer);
      return groupId === undefined ? [] : [groupId];
    });
    if (groupIds.length === 0) return;
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups(groupIds);
    } catch (error) {
      this.logger.warn(
        { groupIds, code: (error as { type?: string }).type ?? (error as Error).name },
        'could not delete per-process consumer groups; the broker expires them after offsets.retention.minutes',
      );
    } finally {
      await admin.disconnect();
    }
  }

  private async processWithRetries(
    subscription: Subscription,
    record: ConsumedRecord,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const policy = subscription.retryPolicy ?? defaultRetryPolicy;
    const where = {
      stage: subscription.stage,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await subscription.handle(record, { heartbeat });
        return;
      } catch (error) {
        const failure = describeFailure(error);
        const giveUp =
          isPermanent(error) || (!isTransient(error) && attempt >= policy.maxUnclassifiedAttempts);
        if (giveUp) {
          await this.deadLetter(record, { ...failure, stage: subscription.stage });
          this.logger.warn({ ...where, code: failure.code }, 'record dead-lettered');
          return;
        }
        // The reason may name a host or status, never report content.
        this.logger.warn(
          { ...where, code: failure.code, attempt, reason: failure.reason },
          'transient failure, retrying',
        );
        if (this.stopping) throw error; // leave the offset uncommitted: the record is redelivered after restart
        await sleep(backoffDelayMs(policy, attempt));
        await heartbeat().catch(() => undefined);
      }
    }
  }

  private async deadLetter(record: ConsumedRecord, failure: { code: string; reason: string; stage: string }) {
    const dlq = deadLetterRecord(record, failure, deadLetterTopic(record.topic));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.publish(dlq.topic, [
          {
            key: dlq.key,
            value: dlq.value ?? Buffer.alloc(0),
            headers: dlq.headers as Record<string, string>,
          },
        ]);
        return;
      } catch (error) {
        // Never commit past a record that is neither processed nor dead-lettered.
        if (this.stopping) throw error;
        this.logger.warn(
          { topic: dlq.topic, attempt, code: describeFailure(error).code },
          'dead-letter write failed, retrying',
        );
        await sleep(backoffDelayMs(defaultRetryPolicy, attempt));
      }
    }
  }

  async disconnect(): Promise<void> {
    this.stopping = true;
    const stopped = [...this.consumers];
    await Promise.allSettled(stopped.map((consumer) => consumer.disconnect()));
    this.consumers.length = 0;
    await this.deleteEphemeralGroups(stopped);
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}
