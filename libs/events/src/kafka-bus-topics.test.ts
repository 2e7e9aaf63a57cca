import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@radflow/config';
import { KafkaBus } from './index.ts';

// Integration test on the real broker that infra/kafka.sh starts: the topics radflow creates get the configured
// partitions and replication factor (KAFKA_TOPIC_PARTITIONS, KAFKA_REPLICATION_FACTOR), and creating them again is a
// no-op. (On the three-broker cluster the same settings are exercised by `radflow soak --cluster`.)
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const logger = createLogger('kafka-bus-topics-test', 'silent');
const run = randomUUID().slice(0, 8);
const admin = new Kafka({
  clientId: 'kafka-bus-topics-test',
  brokers: config.kafka.brokers,
  logLevel: logLevel.NOTHING,
}).admin();
const created: string[] = [];

async function layout(topic: string): Promise<{ partitions: number; replicas: number[] }> {
  await admin.connect();
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = topics[0]!.partitions;
  return { partitions: partitions.length, replicas: [...new Set(partitions.map((p) => p.replicas.length))] };
}

afterAll(async () => {
  await admin.deleteTopics({ topics: created }).catch(() => undefined);
  await admin.disconnect();
});

describe('KafkaBus.createTopics', () => {
  it('creates topics with the configured partitions and replication factor, once', async () => {
    const topic = `radflow.test.topics-${run}`;
    created.push(topic);
    const bus = new KafkaBus({ ...config.kafka, topicPartitions: 5, replicationFactor: 1 }, logger);
    await bus.createTopics([topic]);
    await bus.createTopics([topic]); // already there: left as it is
    expect(await layout(topic)).toEqual({ partitions: 5, replicas: [1] });
  });

  it("keeps today's layout without settings: 3 partitions, the broker's default replication factor", async () => {
    const topic = `radflow.test.topics-default-${run}`;
    created.push(topic);
    const bus = new KafkaBus({ brokers: config.kafka.brokers, clientId: 'kafka-bus-topics-test' }, logger);
    await bus.createTopics([topic]);
    expect(await layout(topic)).toEqual({ partitions: 3, replicas: [1] });
  });
});
