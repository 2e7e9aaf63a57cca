import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';
import type { RadflowConfig } from '@radflow/config';
import { consumedRecord, kafkaClientSecurity, type ConsumedRecord } from '@radflow/events';
import { OperationsError } from './operations-error.ts';

let quieted = false;

/** kafkajs 2.2.4 on Node 24 schedules a timer with a negative delay (tulios/kafkajs#1751): harmless, not for operators. */
function quietNegativeTimeoutWarning(): void {
  if (quieted) return;
  quieted = true;
  const others = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    if (others.length === 0) console.warn(warning);
    for (const listener of others) listener(warning);
  });
}

/** Offsets [from, to) of one partition to read. */
export interface PartitionRange {
  partition: number;
  from: string;
  to: string;
}

export interface ReadOptions {
  /** Read from this time on (Kafka's offsets for a timestamp); default: from the oldest record kept. */
  sinceMs?: number;
  /** Only these partitions, from these offsets (`dlq show P:O`). */
  only?: { partition: number; from: string }[];
  /** Stop each partition at its first record (`dlq show`: the record at an offset, not the rest). */
  firstOnly?: boolean;
  /** Give up on a partition that stops moving this long (an open transaction holds read_committed readers back). */
  idleMs?: number;
}

/**
 * Reads topics up to where they end now, as a read_committed reader (what radflow's stages see), without joining
 * any group radflow uses: a throwaway group positioned by the admin API before it joins, never committing, deleted
 * afterwards. KafkaBus consumes forever and would dead-letter a failing handler; operators' reads must not.
 */
export class TopicReader {
  private readonly kafka: Kafka;
  private admin: Admin | undefined;

  constructor(private readonly config: RadflowConfig['kafka']) {
    quietNegativeTimeoutWarning();
    const kafkaConfig: KafkaConfig = {
      clientId: `${config.clientId}-ops`,
      brokers: config.brokers,
      ...kafkaClientSecurity(config),
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 200 },
    };
    this.kafka = new Kafka(kafkaConfig);
  }

  private async connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        throw new OperationsError(
          `Kafka at ${this.config.brokers.join(',')} is unreachable: ${(error as Error).message}`,
          'KAFKA_UNAVAILABLE',
          'check KAFKA_BROKERS (and KAFKA_SSL / KAFKA_SASL_*), or start the local broker with `infra/run up`',
        );
      }
      this.admin = admin;
    }
    return this.admin;
  }

  async topics(): Promise<string[]> {
    return (await (await this.connectedAdmin()).listTopics()).sort();
  }

  async exists(topic: string): Promise<boolean> {
    return (await this.topics()).includes(topic);
  }

  async partitions(topic: string): Promise<number[]> {
    return (await (await this.connectedAdmin()).fetchTopicOffsets(topic))
      .map((p) => p.partition)
      .sort((a, b) => a - b);
  }

  /** The records of each topic now on the broker (within options), oldest first per partition. */
  async read(topics: string[], options: ReadOptions = {}): Promise<ConsumedRecord[]> {
    const admin = await this.connectedAdmin();
    const groupId = `${this.config.groupPrefix}-ops-${randomUUID()}`;
    const pending = new Map<string, PartitionRange>();
    const wanted: string[] = [];
    const seeks: { topic: string; partition: number; offset: string }[] = [];
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const starts =
        options.sinceMs !== undefined
          ? await admin.fetchTopicOffsetsByTimestamp(topic, options.sinceMs)
          : ends;
      const positions = ends.map((end) => {
        const only = options.only?.find((o) => o.partition === end.partition);
        let from =
          options.sinceMs !== undefined ? starts.find((s) => s.partition === end.partition)!.offset : end.low;
        if (options.only) from = only ? only.from : end.high;
        if (BigInt(from) < BigInt(end.low)) from = end.low;
        if (BigInt(from) < BigInt(end.high))
          pending.set(`${topic}:${end.partition}`, { partition: end.partition, from, to: end.high });
        return { partition: end.partition, offset: BigInt(from) < BigInt(end.high) ? from : end.high };
      });
      if (!positions.some((p) => pending.has(`${topic}:${p.partition}`))) continue;
      // Sought once the consumer runs (admin.setOffsets would cost seconds a topic); records outside [from, to)
      // that a first fetch brings before the seek are dropped below.
      seeks.push(...positions.map((position) => ({ topic, ...position })));
      wanted.push(topic);
    }
    if (wanted.length === 0) return [];

    const records: ConsumedRecord[] = [];
    const seen = new Set<string>();
    const consumer = this.kafka.consumer({
      groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      // A fetch at a partition's end waits this long on the broker, and disconnect waits for it: keep it short.
      maxWaitTimeInMs: 100,
    });
    const idleMs = options.idleMs ?? 5_000;
    let lastProgress = Date.now();
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const advance = (topic: string, partition: number, lastOffset: string | null) => {
      lastProgress = Date.now();
      const range = pending.get(`${topic}:${partition}`);
      if (range && lastOffset !== null && BigInt(lastOffset) + 1n >= BigInt(range.to))
        pending.delete(`${topic}:${partition}`);
      if (pending.size === 0) finish();
    };
    // Also fires for batches holding only transaction markers, which never reach eachBatch.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      advance(payload.topic, payload.partition, payload.lastOffset),
    );
    // Joining can take a while on a busy broker: idleness counts from the join.
    consumer.on(consumer.events.GROUP_JOIN, () => void (lastProgress = Date.now()));
    try {
      await consumer.connect();
      // At the end until sought: a first fetch then brings nothing to drop.
      await consumer.subscribe({ topics: wanted, fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const range = pending.get(`${batch.topic}:${batch.partition}`);
          for (const message of batch.messages) {
            if (
              !range ||
              BigInt(message.offset) < BigInt(range.from) ||
              BigInt(message.offset) >= BigInt(range.to)
            )
              continue;
            const id = `${batch.topic}:${batch.partition}:${message.offset}`;
            if (seen.has(id)) continue;
            seen.add(id);
            records.push(consumedRecord(batch.topic, batch.partition, message));
            if (options.firstOnly) {
              pending.delete(`${batch.topic}:${batch.partition}`);
              if (pending.size === 0) finish();
              break;
            }
          }
        },
      });
      for (const seek of seeks) consumer.seek(seek);
      lastProgress = Date.now();
      const idle = setInterval(() => {
        if (Date.now() - lastProgress > idleMs) finish();
      }, 250);
      await finished;
      clearInterval(idle);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return records.sort(
      (a, b) =>
        a.topic.localeCompare(b.topic) ||
        a.partition - b.partition ||
        Number(BigInt(a.offset) - BigInt(b.offset)),
    );
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
