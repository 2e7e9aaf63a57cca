import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type PartitionMetadata } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@radflow/config';
import { KafkaBus } from './index.ts';
import { PartitionSplitter } from './partition-split.ts';

const partitionsOf = (n: number, leaders: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: leaders[partitionId] ?? 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

describe('splitting a send by partition', () => {
  it('puts each record of a key in one partition, keeps their order, and one send per partition', () => {
    const records = ['a', 'b', 'a', 'c', 'b', 'a'].map((key, i) => ({ key, value: `${key}${i}` }));
    const sends = new PartitionSplitter().split('t', records, partitionsOf(3));
    expect(sends.flatMap((s) => s.records)).toHaveLength(records.length);
    expect(new Set(sends.map((s) => s.partition)).size).toBe(sends.length);
    for (const key of ['a', 'b', 'c']) {
      const holding = sends.filter((s) => s.records.some((r) => r.key === key));
      expect(holding).toHaveLength(1);
      const values = holding[0]!.records.filter((r) => r.key === key).map((r) => r.value);
      expect(values).toEqual(records.filter((r) => r.key === key).map((r) => r.value));
    }
    for (const send of sends) for (const record of send.records) expect(record.partition).toBe(send.partition);
  });

  it('spreads records without a key over the partitions that have a leader', () => {
    const sends = new PartitionSplitter().split(
      't',
      Array.from({ length: 30 }, (_, i) => ({ key: null, value: String(i) })),
      partitionsOf(3, [1, -1, 2]),
    );
    expect(sends.map((s) => s.partition).sort()).toEqual([0, 2]);
    expect(sends.reduce((n, s) => n + s.records.length, 0)).toBe(30);
  });
});

// On the real broker that infra/kafka.sh starts: records the bus sends land in the partition kafkajs' own producer
// chooses for their key, so splitting changes no key's partition (nor its order) for data already in a topic.
describe('the bus sends each key to the partition kafkajs would', () => {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const kafka = new Kafka({ clientId: 'partition-split-test', brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const topic = `radflow.test.partition-split-${randomUUID().slice(0, 8)}`;
  const bus = new KafkaBus(config.kafka, createLogger('partition-split-test', 'silent'));

  afterAll(async () => {
    await bus.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('for 60 keys, sent in one publish by the bus and one by a plain kafkajs producer', async () => {
    await bus.createTopics([topic], 5);
    const keys = Array.from({ length: 60 }, (_, i) => `patient-${i}-${randomUUID()}`);
    await bus.publish(topic, keys.map((key) => ({ key, value: `bus:${key}` })));
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: keys.map((key) => ({ key, value: `plain:${key}` })) });
    await producer.disconnect();

    const where = new Map<string, Set<number>>();
    const consumer = kafka.consumer({ groupId: `partition-split-test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let read = 0;
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const key = message.key!.toString();
        where.set(key, (where.get(key) ?? new Set()).add(partition));
        read++;
      },
    });
    const deadline = Date.now() + 60_000;
    while (read < keys.length * 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();

    expect(read).toBe(keys.length * 2);
    for (const key of keys) expect(where.get(key)?.size).toBe(1);
    expect(new Set([...where.values()].map((p) => [...p][0])).size).toBeGreaterThan(1);
  }, 90_000);
});
