import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  Kafka,
  logLevel as kafkaLogLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type EachMessagePayload,
  type KafkaConfig,
  type Producer,
} from 'kafkajs';
import type { SpanContext } from '@opentelemetry/api';
import type { Logger } from '@radflow/config';
import { silentBusObserver, type BusObserver } from './bus-observer.ts';
import { CoalescingSender } from './coalescing-sender.ts';
import { consumedRecord, type ConsumedRecord } from './consumed-record.ts';
import { deadLetterRecord } from './dead-letter.ts';
import { TRACE_ID_HEADER, type Envelope } from './envelope.ts';
import { describeFailure, isPermanent, isTransient, needsGroupRejoin } from './errors.ts';
import { EventValidator } from './event-validator.ts';
import { kafkaClientSecurity, type KafkaSecurityOptions } from './kafka-security.ts';
import { backoffDelayMs, defaultRetryPolicy, type RetryPolicy } from './retry-policy.ts';
import type { TopicEvent } from './topic-event.ts';
import { deadLetterTopic, type EventTopic } from './topics.ts';
import {
  eventAccession,
  markDeadLettered,
  noteRetry,
  traceAccession,
  withCommitSpan,
  withConsumerSpan,
  withProducerSpan,
  withTraceHeaders,
} from './trace-context.ts';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** TLS, its CA file and SASL: see kafkaClientSecurity. */
  ssl?: KafkaSecurityOptions['ssl'];
  sslCaFile?: KafkaSecurityOptions['sslCaFile'];
  sasl?: KafkaSecurityOptions['sasl'];
  sessionTimeoutMs?: number;
  /**
   * Where a consumer group with no committed offset starts: `earliest` (default: nothing written before the group
   * first ran is skipped) or `latest`. Per subscription: Subscription.startFrom.
   */
  startFrom?: StartFrom;
  /**
   * Consume-transform-produce in Kafka transactions (default true): what a handler publishes through its
   * HandlerContext.output and the consumed record's offset commit together or not at all; readers at
   * read_committed (radflow's, and any downstream reader that sets isolation.level=read_committed) see every
   * output exactly once. Off: published after the handler, then the offset committed (at-least-once, the
   * ledger skips repeats). Needs the broker's transaction log and, on a secured cluster, TransactionalId ACLs.
   */
  transactions?: boolean;
  /** The broker aborts a transaction left open this long (a crashed producer): downstream readers wait at most this. */
  transactionTimeoutMs?: number;
  /** Partitions of the topics createTopics creates (default 3). */
  topicPartitions?: number;
  /** Replicas of the topics createTopics creates; -1 (default): the broker's default.replication.factor. */
  replicationFactor?: number;
}

export type StartFrom = 'earliest' | 'latest';

/** How a piece of work that depends on a record's output being committed ends (an idempotency-ledger claim). */
export interface CommitSettlement {
  /** The output is committed: mark the work done. */
  complete(): Promise<void>;
  /** The output will not be committed: give the work up. */
  abandon(): Promise<void>;
}

/** Where a handler's output goes. */
export interface RecordOutput {
  publish(topic: string, records: OutgoingRecord[]): Promise<void>;
  /**
   * Validated against schemas/ at once: an invalid event fails the handler, it is never staged. The event's payload
   * type follows from the topic (createTopicEvent builds it).
   */
  publishEvent<T extends EventTopic>(topic: T, key: string, event: TopicEvent<NoInfer<T>>): Promise<void>;
  /** Runs `settlement.complete` once the output is committed (at once where there is nothing to wait for). */
  afterCommit(settlement: CommitSettlement): Promise<void> | void;
}

export interface HandlerContext {
  /** Keep the group membership alive during slow steps (model calls, FHIR retries). */
  heartbeat(): Promise<void>;
  /**
   * The record's output: what is published here is sent in one Kafka transaction with the record's offset once
   * the handler has resolved (resolving here means staged, not yet sent), and is discarded if the handler fails.
   * afterCommit settlements run once that transaction has committed.
   */
  output: RecordOutput;
}

export type RecordHandler = (record: ConsumedRecord, context: HandlerContext) => Promise<void>;

export interface Subscription {
  groupId: string;
  topics: string[];
  /** Names the stage in dead-letter headers and logs (ingest, enricher, writeback…). */
  stage: string;
  handle: RecordHandler;
  /** Where the group starts when it has no committed offset; default KafkaBusOptions.startFrom. */
  startFrom?: StartFrom;
  /** @deprecated use startFrom: true is 'earliest', false is 'latest'. */
  fromBeginning?: boolean;
  retryPolicy?: RetryPolicy;
  /**
   * Micro-batching for stages whose per-record work is small (ingest, triage): up to this many consecutive records of
   * one partition are processed one after another, each with its own handler attempt, retries and dead letter, and
   * their outputs and the last offset are committed in ONE transaction, at the latest BATCH_COMMIT_WINDOW_MS after
   * the first of them finished; so a slow record still commits alone. Default 1: a transaction per record.
   */
  maxBatchRecords?: number;
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

/** A micro-batch (Subscription.maxBatchRecords) is committed at the latest this long after its first record finished. */
export const BATCH_COMMIT_WINDOW_MS = 50;

/** Checks of the group's committed offset after a transaction whose outcome is unknown, and the pause between. */
const COMMITTED_OFFSET_CHECKS = 4;
const COMMITTED_OFFSET_RECHECK_MS = 500;

/**
 * Attempts before giving up on a plain offset commit (failing on means the partition has moved: kafkajs rejoins and
 * redelivers) or on a done mark failing for a reason that does not pass (the claim then expires after its lease).
 */
const MAX_PLAIN_COMMIT_ATTEMPTS = 5;

/** Attempts while a new topic's leaders settle (creation on a cluster, a fresh group's end offsets): retriable metadata errors. */
const LEADER_SETTLE_ATTEMPTS = 10;

/** One handler attempt's output, held until the handler has resolved. */
class StagedOutput implements RecordOutput {
  readonly batches: { topic: string; records: OutgoingRecord[] }[] = [];
  readonly settlements: CommitSettlement[] = [];
  private open = true;

  constructor(private readonly validator: EventValidator) {}

  async publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    this.stage(topic, records);
  }

  stage(topic: string, records: OutgoingRecord[]): void {
    this.assertOpen();
    // Staged in the handler's (consumer) span: each output record carries that span to the next stage.
    if (records.length > 0) this.batches.push({ topic, records: withTraceHeaders(records) });
  }

  async publishEvent<T extends EventTopic>(
    topic: T,
    key: string,
    event: TopicEvent<NoInfer<T>>,
  ): Promise<void> {
    await this.publish(topic, [validEventRecord(this.validator, key, event)]);
  }

  afterCommit(settlement: CommitSettlement): void {
    this.assertOpen();
    this.settlements.push(settlement);
  }

  /** No more output: the handler has resolved (or failed). */
  close(): void {
    this.open = false;
  }

  /**
   * The outputs of consecutive records committed as one (a micro-batch): one send per topic, records in their order,
   * so a batch of N records costs a transaction of a few sends, not N.
   */
  static concat(outputs: StagedOutput[], validator: EventValidator): StagedOutput {
    const all = new StagedOutput(validator);
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const output of outputs) {
      for (const batch of output.batches) {
        const records = byTopic.get(batch.topic) ?? [];
        if (records.length === 0) byTopic.set(batch.topic, records);
        records.push(...batch.records);
      }
      all.settlements.push(...output.settlements);
    }
    for (const [topic, records] of byTopic) all.batches.push({ topic, records });
    all.close();
    return all;
  }

  private assertOpen(): void {
    // Output after the handler resolved would be silently lost: it is a bug in the handler (an un-awaited call).
    if (!this.open) throw new Error('record output used after its handler resolved');
  }
}

/** How many records a commit covers and how many output records it sends with their offset (span attributes). */
function commitCounts(outputs: StagedOutput[]): { count: number; outputs: number } {
  let records = 0;
  for (const output of outputs) for (const batch of output.batches) records += batch.records.length;
  return { count: outputs.length, outputs: records };
}

/** Validates the event against schemas/ before it leaves (an invalid event is a bug, never sent) and traces it. */
function validEventRecord(validator: EventValidator, key: string, event: Envelope<unknown>): OutgoingRecord {
  validator.assertValidEvent(event);
  traceAccession(eventAccession(event));
  return {
    key,
    value: JSON.stringify(event),
    headers: {
      'radflow-event-type': event.type,
      [TRACE_ID_HEADER]: event.traceId,
      'content-type': 'application/json',
    },
  };
}

/**
 * The only module that knows kafkajs: producing with acks=all, and consuming with offsets committed only
 * after the handler's work is durable (or the record is safely in its dead-letter topic). A consuming stage's
 * output and its offset commit go in one Kafka transaction (KafkaBusOptions.transactions).
 */
export class KafkaBus implements RecordOutput {
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  /** One transactional producer per consumer group: a group processes one record at a time per consumer. */
  private readonly transactionalProducers = new Map<string, Producer>();
  private admin: Promise<Admin> | undefined;
  private readonly consumers: Consumer[] = [];
  /** Per-process groups to delete once their consumer has left (see Subscription.ephemeral). */
  private readonly ephemeralGroups = new Map<Consumer, string>();
  private readonly validator: EventValidator = new EventValidator();
  /** Part of every transactional id: unique per bus, so two processes never fence each other. */
  private readonly instance = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private stopping = false;
  /** Direct publishes share sends: one broker round trip carries every message that arrived meanwhile. */
  private readonly direct = new CoalescingSender((topic, records) => this.send(topic, records));

  constructor(
    private readonly options: KafkaBusOptions,
    private readonly logger: Logger,
    /** Told what the bus does (records consumed, produced, retried, dead-lettered; lag), for metrics. */
    private readonly observer: BusObserver = silentBusObserver,
  ) {
    const config: KafkaConfig = {
      clientId: options.clientId,
      brokers: options.brokers,
      ...kafkaClientSecurity(options),
      logLevel: kafkaLogLevel.WARN,
      logCreator: () => (entry) => {
        if (entry.level <= kafkaLogLevel.WARN)
          this.logger.warn({ kafka: entry.log.message, namespace: entry.namespace });
      },
      retry: { retries: 8, initialRetryTime: 200 },
    };
    this.kafka = new Kafka(config);
  }

  get transactional(): boolean {
    return this.options.transactions ?? true;
  }

  async createTopics(topics: string[], numPartitions = this.options.topicPartitions ?? 3): Promise<void> {
    const replicationFactor = this.options.replicationFactor ?? -1;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      // On a cluster, the broker asked for metadata may not know yet a topic created a moment ago (here or by another
      // process): kafkajs then fails with a retriable UNKNOWN_TOPIC_OR_PARTITION. Tried again until every topic has
      // a leader on every partition.
      await whileLeadersSettle(async () => {
        const existing = new Set(await admin.listTopics());
        const missing = topics.filter((topic) => !existing.has(topic));
        if (missing.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor })),
          });
        }
        const { topics: described } = await admin.fetchTopicMetadata({ topics });
        if (described.some((topic) => topic.partitions.some((partition) => partition.leader < 0)))
          throw Object.assign(new Error('topic partitions without a leader yet'), { retriable: true });
      });
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

  private async transactionalProducer(groupId: string): Promise<Producer> {
    let producer = this.transactionalProducers.get(groupId);
    if (!producer) {
      producer = this.kafka.producer({
        // Stable for this bus and group: a producer re-created after a failed transaction fences its predecessor,
        // and the broker finishes (commits or aborts) whatever that one left open before the new one starts.
        transactionalId: `${this.options.clientId}-${groupId}-${this.instance}`,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
        transactionTimeout: this.options.transactionTimeoutMs ?? 30_000,
      });
      await producer.connect();
      this.transactionalProducers.set(groupId, producer);
    }
    return producer;
  }

  private async dropTransactionalProducer(groupId: string): Promise<void> {
    const producer = this.transactionalProducers.get(groupId);
    this.transactionalProducers.delete(groupId);
    await producer?.disconnect().catch(() => undefined);
  }

  private connectedAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
    return this.admin;
  }

  /** Resolves only once every in-sync replica has the records (acks=all). Outside any transaction. */
  async publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    await withProducerSpan(topic, records.length, (ctx) =>
      this.direct.publish(topic, withTraceHeaders(records, ctx)),
    );
    this.observer.produced(undefined, topic, records.length);
  }

  // kafkajs is patched at install (patches/kafkajs+2.2.4.patch) so that this holds when a partition's leader dies
  // mid-send: unpatched, a retry could skip the records of a partition that moved to a broker which had answered.
  private async send(topic: string, records: OutgoingRecord[]): Promise<void> {
    const producer = await this.connectedProducer();
    await producer.send({ topic, acks: -1, messages: records });
  }

  /** Validates the event against schemas/ before it leaves: an invalid event is a bug, never sent. */
  async publishEvent<T extends EventTopic>(
    topic: T,
    key: string,
    event: TopicEvent<NoInfer<T>>,
  ): Promise<void> {
    await this.publish(topic, [validEventRecord(this.validator, key, event)]);
  }

  /** Published directly, so there is nothing to wait for: the settlement completes now. */
  async afterCommit(settlement: CommitSettlement): Promise<void> {
    await settlement.complete();
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

  private startFrom(subscription: Subscription): StartFrom {
    if (subscription.startFrom) return subscription.startFrom;
    if (subscription.fromBeginning !== undefined) return subscription.fromBeginning ? 'earliest' : 'latest';
    return this.options.startFrom ?? 'earliest';
  }

  /**
   * A group starting at `latest` is positioned at the topics' ends (last stable offsets) BEFORE it joins, where it
   * has no committed offset: what is published once subscribe() has resolved is never skipped. (kafkajs alone
   * resolves "latest" at its first fetch, some time after the join.) A group with running members is left as it is.
   */
  private async positionAtEnd(groupId: string, topics: string[]): Promise<void> {
    const admin = await this.connectedAdmin();
    const committed = await whileLeadersSettle(() => admin.fetchOffsets({ groupId, topics }));
    for (const { topic, partitions } of committed) {
      const fresh = partitions.filter((p) => BigInt(p.offset) < 0n).map((p) => p.partition);
      if (fresh.length === 0) continue;
      const ends = await whileLeadersSettle(() => admin.fetchTopicOffsets(topic));
      try {
        await admin.setOffsets({
          groupId,
          topic,
          partitions: ends
            .filter((end) => fresh.includes(end.partition))
            .map((end) => ({ partition: end.partition, offset: end.high })),
        });
      } catch (error) {
        this.logger.debug(
          { groupId, topic, reason: (error as Error).message },
          'group is running elsewhere; its new partitions start at the latest offset on first fetch',
        );
      }
    }
  }

  /** Starts consuming; resolves once the group is joined and returns a function that stops this consumer. */
  async subscribe(subscription: Subscription): Promise<() => Promise<void>> {
    const startFrom = this.startFrom(subscription);
    if (startFrom === 'latest') {
      await this.createTopics(subscription.topics);
      await this.positionAtEnd(subscription.groupId, subscription.topics);
    }
    const consumer = this.kafka.consumer({
      groupId: subscription.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 45_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: true,
      // read_committed (kafkajs' default, explicit here): aborted transactions are never seen.
      readUncommitted: false,
    });
    this.consumers.push(consumer);
    if (subscription.ephemeral) this.ephemeralGroups.set(consumer, subscription.groupId);
    await consumer.connect();
    await consumer.subscribe({ topics: subscription.topics, fromBeginning: startFrom === 'earliest' });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      // offsetLag: the high watermark minus the batch's last offset, i.e. what is still to read after this batch.
      this.observer.lag(subscription.stage, payload.topic, payload.partition, Number(payload.offsetLag));
    });
    const joined = new Promise<void>((resolve) => {
      const stopListening = consumer.on(consumer.events.GROUP_JOIN, () => {
        stopListening();
        resolve();
      });
    });
    const maxBatchRecords = subscription.maxBatchRecords ?? 1;
    const eachMessage = async ({ topic, partition, message, heartbeat }: EachMessagePayload) => {
      const record = consumedRecord(topic, partition, message);
      this.observer.consumed(subscription.stage, topic);
      await withConsumerSpan(subscription.stage, subscription.groupId, record, async () => {
        const output = await this.processWithRetries(subscription, record, heartbeat);
        try {
          await withCommitSpan(subscription.stage, topic, commitCounts([output]), [], () =>
            this.commit(subscription, consumer, record, output, heartbeat),
          );
        } catch (error) {
          for (const settlement of output.settlements) await settlement.abandon().catch(() => undefined);
          throw error;
        }
        await this.settle(subscription, record, output.settlements, heartbeat);
      });
    };
    // kafkajs runs eachMessage whenever it is given: a micro-batching group passes eachBatch alone.
    await consumer.run(
      maxBatchRecords > 1
        ? {
            autoCommit: false,
            eachBatchAutoResolve: false,
            eachBatch: (payload) => this.consumeBatch(subscription, consumer, payload, maxBatchRecords),
          }
        : { autoCommit: false, eachMessage },
    );
    await Promise.race([joined, sleep(this.options.sessionTimeoutMs ?? 45_000)]);
    return async () => {
      const index = this.consumers.indexOf(consumer);
      if (index >= 0) this.consumers.splice(index, 1);
      await consumer.disconnect();
      await this.deleteEphemeralGroups([consumer]);
      await this.dropTransactionalProducer(subscription.groupId);
    };
  }

  /**
   * A micro-batch: consecutive records of one partition, each handled (and retried or dead-lettered) on its own, their
   * outputs and the last offset committed together; then their work is marked done. Before a record's retry, what is
   * finished is committed first, so a claim it holds never blocks a later record of the same key. On a lost partition
   * (stale batch) nothing more is committed: the new owner processes those records again, the ledger skips done work.
   */
  private async consumeBatch(
    subscription: Subscription,
    consumer: Consumer,
    { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload,
    maxRecords: number,
  ): Promise<void> {
    let pending: { record: ConsumedRecord; output: StagedOutput; span: SpanContext }[] = [];
    let firstDoneAt = 0;
    const abandon = async () => {
      for (const { output } of pending)
        for (const settlement of output.settlements) await settlement.abandon().catch(() => undefined);
      pending = [];
    };
    const flush = async () => {
      if (pending.length === 0) return;
      if (isStale()) return abandon();
      const last = pending[pending.length - 1]!.record;
      const output = StagedOutput.concat(
        pending.map((p) => p.output),
        this.validator,
      );
      try {
        await withCommitSpan(
          subscription.stage,
          last.topic,
          commitCounts(pending.map((p) => p.output)),
          pending.map((p) => p.span),
          () => this.commit(subscription, consumer, last, output, heartbeat),
        );
      } catch (error) {
        await abandon();
        throw error;
      }
      pending = [];
      await this.settle(subscription, last, output.settlements, heartbeat);
      resolveOffset(last.offset);
    };
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        const record = consumedRecord(batch.topic, batch.partition, message);
        this.observer.consumed(subscription.stage, batch.topic);
        const { output, span } = await withConsumerSpan(
          subscription.stage,
          subscription.groupId,
          record,
          async (span) => ({
            output: await this.processWithRetries(subscription, record, heartbeat, flush),
            span: span.spanContext(),
          }),
        );
        if (pending.length === 0) firstDoneAt = performance.now();
        pending.push({ record, output, span });
        if (pending.length >= maxRecords || performance.now() - firstDoneAt >= BATCH_COMMIT_WINDOW_MS)
          await flush();
      }
      await flush();
    } catch (error) {
      await abandon(); // what was not committed is delivered again: its claims must not wait for their lease
      throw error;
    }
  }

  /**
   * Commits the record's offset with its output: in one transaction (output + offset, atomically), or, without
   * transactions or without output, output first and then the offset. Transient broker failures are retried here,
   * without running the handler again; a transaction whose outcome is unknown is checked against the group's
   * committed offset before it is sent again, so a retry never duplicates committed output.
   */
  private async commit(
    subscription: Subscription,
    consumer: Consumer,
    record: ConsumedRecord,
    output: StagedOutput,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const next = (BigInt(record.offset) + 1n).toString();
    const offsets = [{ topic: record.topic, partition: record.partition, offset: next }];
    const inTransaction = this.transactional && output.batches.length > 0;
    let published = false;
    for (let attempt = 1; ; attempt++) {
      try {
        if (inTransaction) {
          const sent = await this.commitTransaction(subscription.groupId, record, next, output, attempt > 1);
          if (sent)
            for (const batch of output.batches)
              this.observer.produced(subscription.stage, batch.topic, batch.records.length);
        } else {
          if (!published)
            for (const batch of output.batches) {
              await this.send(batch.topic, batch.records);
              this.observer.produced(subscription.stage, batch.topic, batch.records.length);
            }
          published = true;
          await consumer.commitOffsets(offsets);
        }
        return;
      } catch (error) {
        // Uncommitted: the record is processed again after the restart (or by the partition's next owner, for a
        // plain offset commit that keeps failing: a rebalance took the partition away), the ledger skips it.
        if (this.stopping || (!inTransaction && attempt >= MAX_PLAIN_COMMIT_ATTEMPTS)) throw error;
        this.logger.warn(
          {
            stage: subscription.stage,
            topic: record.topic,
            partition: record.partition,
            offset: record.offset,
            attempt,
            code: describeFailure(error).code,
          },
          inTransaction ? 'output transaction failed, retrying' : 'offset commit failed, retrying',
        );
        await sleep(backoffDelayMs(defaultRetryPolicy, attempt));
        await heartbeat().catch(() => undefined);
      }
    }
  }

  private async commitTransaction(
    groupId: string,
    record: ConsumedRecord,
    next: string,
    output: StagedOutput,
    afterFailure: boolean,
  ): Promise<boolean> {
    const producer = await this.transactionalProducer(groupId);
    // Begins the transaction; the first one of a re-created producer also fences the old one and lets the broker
    // finish whatever transaction that one left open.
    const transaction = await producer.transaction();
    try {
      if (afterFailure && (await this.offsetCommitted(groupId, record, next))) {
        await transaction.abort();
        this.logger.info(
          { groupId, topic: record.topic, partition: record.partition, offset: record.offset },
          'output was committed by the earlier attempt',
        );
        return false;
      }
      for (const batch of output.batches)
        await transaction.send({ topic: batch.topic, acks: -1, messages: batch.records });
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: record.topic, partitions: [{ partition: record.partition, offset: next }] }],
      });
      await transaction.commit();
      return true;
    } catch (error) {
      // An abort that fails leaves the producer unusable (and the outcome unknown): start a new one.
      if (transaction.isActive()) {
        await transaction.abort().catch(async () => this.dropTransactionalProducer(groupId));
      } else {
        await this.dropTransactionalProducer(groupId);
      }
      throw error;
    }
  }

  /**
   * Whether the earlier attempt's transaction committed this offset. The producer re-created after that attempt has
   * made the transaction coordinator finish it (commit or abort) first; but the group coordinator shows a
   * transaction's offsets only once it has applied the commit marker, which Kafka's classic coordinator does a moment
   * later, and kafkajs cannot ask for stable offsets (OffsetFetch require_stable). A "no" is asked again a few times
   * before it is believed: a transaction sent twice is an output published twice.
   */
  private async offsetCommitted(groupId: string, record: ConsumedRecord, next: string): Promise<boolean> {
    const admin = await this.connectedAdmin();
    for (let check = 1; ; check++) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [record.topic] });
      const offset = committed?.partitions.find((p) => p.partition === record.partition)?.offset ?? '-1';
      if (BigInt(offset) >= BigInt(next)) return true;
      if (check >= COMMITTED_OFFSET_CHECKS) return false;
      await sleep(COMMITTED_OFFSET_RECHECK_MS);
    }
  }

  /**
   * Marks the committed work done (idempotency-ledger claims). The output is already committed, so a failure is
   * retried (a database restart), never reported as a failure of the record; when stopping, the claim is left to
   * expire.
   */
  private async settle(
    subscription: Subscription,
    record: ConsumedRecord,
    settlements: CommitSettlement[],
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    for (const settlement of settlements) {
      for (let attempt = 1; ; attempt++) {
        try {
          await settlement.complete();
          break;
        } catch (error) {
          const where = { stage: subscription.stage, topic: record.topic, offset: record.offset, attempt };
          // Stopping, or not a fault that passes (a bug): the claim is left to expire after its lease.
          if (this.stopping || (!isTransient(error) && attempt >= MAX_PLAIN_COMMIT_ATTEMPTS)) {
            this.logger.error({ ...where, code: describeFailure(error).code }, 'could not mark work done');
            break;
          }
          this.logger.warn(
            { ...where, code: describeFailure(error).code },
            'marking work done failed, retrying',
          );
          await sleep(backoffDelayMs(defaultRetryPolicy, attempt));
          await heartbeat().catch(() => undefined);
        }
      }
    }
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

  /**
   * Runs the handler until it succeeds (its staged output is returned) or the record is dead-lettered (the
   * dead-letter record is the output). A failed attempt's output is discarded and its settlements abandoned.
   */
  private async processWithRetries(
    subscription: Subscription,
    record: ConsumedRecord,
    heartbeat: () => Promise<void>,
    /** Before a retry: commit the micro-batch's finished records (their claims may be what this one waits on). */
    beforeRetry?: () => Promise<void>,
  ): Promise<StagedOutput> {
    const policy = subscription.retryPolicy ?? defaultRetryPolicy;
    const where = {
      stage: subscription.stage,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
    };
    for (let attempt = 1; ; attempt++) {
      const output = new StagedOutput(this.validator);
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        await subscription.handle(record, { heartbeat, output });
        output.close();
        this.observer.attempted(subscription.stage, record.topic, 'ok', seconds());
        return output;
      } catch (error) {
        output.close();
        for (const settlement of output.settlements) await settlement.abandon().catch(() => undefined);
        if (needsGroupRejoin(error)) {
          // Uncommitted, so delivered again once the group has settled: neither a retry here nor a dead letter.
          this.logger.warn(
            { ...where, code: describeFailure(error).code },
            'group rebalancing, record left for redelivery',
          );
          throw error;
        }
        const failure = describeFailure(error);
        const giveUp =
          isPermanent(error) || (!isTransient(error) && attempt >= policy.maxUnclassifiedAttempts);
        this.observer.attempted(
          subscription.stage,
          record.topic,
          giveUp ? 'dead_letter' : 'retry',
          seconds(),
          failure.code,
        );
        if (giveUp) {
          markDeadLettered(failure.code);
          this.logger.warn({ ...where, code: failure.code }, 'record dead-lettered');
          return this.deadLetterOutput(record, { ...failure, stage: subscription.stage });
        }
        // The reason may name a host or status, never report content.
        this.logger.warn(
          { ...where, code: failure.code, attempt, reason: failure.reason },
          'transient failure, retrying',
        );
        if (this.stopping) throw error; // leave the offset uncommitted: the record is redelivered after restart
        noteRetry(attempt, failure.code);
        await beforeRetry?.();
        await sleep(backoffDelayMs(policy, attempt));
        await heartbeat().catch(() => undefined);
      }
    }
  }

  /** The record's dead letter as its only output: committed with the offset like any output (never twice). */
  private deadLetterOutput(
    record: ConsumedRecord,
    failure: { code: string; reason: string; stage: string },
  ): StagedOutput {
    const dlq = deadLetterRecord(record, failure, deadLetterTopic(record.topic));
    const output = new StagedOutput(this.validator);
    output.stage(dlq.topic, [
      { key: dlq.key, value: dlq.value ?? Buffer.alloc(0), headers: dlq.headers as Record<string, string> },
    ]);
    output.close();
    return output;
  }

  async disconnect(): Promise<void> {
    this.stopping = true;
    const stopped = [...this.consumers];
    await Promise.allSettled(stopped.map((consumer) => consumer.disconnect()));
    this.consumers.length = 0;
    await this.deleteEphemeralGroups(stopped);
    await Promise.allSettled(
      [...this.transactionalProducers.keys()].map((groupId) => this.dropTransactionalProducer(groupId)),
    );
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}

/**
 * Topics a broker has only just created answer "not the leader" or "unknown topic" (retriable) until their leaders
 * are elected and known to every broker: creating topics on a cluster, and a group starting at the latest offset
 * asking for their ends, meet exactly that moment on a fresh broker or cluster. Tried again with backoff.
 */
async function whileLeadersSettle<T>(ask: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (error) {
      // kafkajs gives up on its own retries with KafkaJSNumberOfRetriesExceeded around the retriable cause.
      const cause = (error as { originalError?: { retriable?: boolean } }).originalError;
      const retriable = (error as { retriable?: boolean }).retriable || cause?.retriable;
      if (!retriable || attempt >= LEADER_SETTLE_ATTEMPTS) throw error;
      await sleep(backoffDelayMs(defaultRetryPolicy, attempt));
    }
  }
}
