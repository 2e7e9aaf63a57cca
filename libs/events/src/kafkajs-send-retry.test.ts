import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs 2.2.4 (its last release) is patched at install (patches/kafkajs+2.2.4.patch, applied by patch-package in
// the root postinstall): its producer's retry kept the answers of the brokers that had answered and passed over
// those brokers on the next attempt, so records of a partition that moved to one of them (its leader died) were
// never written while send() resolved (tulios/kafkajs#1303). radflow's cluster soak lost a report acknowledged AA
// that way. This drives kafkajs' own sendMessages with a cluster stand-in: two brokers, one dies mid-send and its
// partition moves to the other.
const require = createRequire(import.meta.url);
const createSendMessages = require('kafkajs/src/producer/sendMessages.js') as (
  options: unknown,
) => (request: {
  acks: number;
  timeout: number;
  topicMessages: Array<{ topic: string; messages: Array<{ key: string; value: string; partition: number }> }>;
}) => Promise<Array<{ topicName: string; partition: number }>>;
const createRetry = require('kafkajs/src/retry/index.js') as (options: object) => unknown;
const { KafkaJSConnectionError } = require('kafkajs/src/errors.js') as {
  KafkaJSConnectionError: new (message: string) => Error;
};

interface ProduceRequest {
  topicData: Array<{
    topic: string;
    partitions: Array<{ partition: number; messages: Array<{ value: string }> }>;
  }>;
}

function clusterWithFailover() {
  const written: Array<{ broker: number; partition: number; value: string }> = [];
  let leaderOf: Record<number, number> = { 0: 1, 1: 2 }; // partition → broker
  let broker2Up = true;
  const broker = (nodeId: number) => ({
    nodeId,
    produce: async ({ topicData }: ProduceRequest) => {
      if (nodeId === 2 && !broker2Up) throw new KafkaJSConnectionError('Connection error: ECONNREFUSED');
      if (nodeId === 2) {
        // Broker 2 dies on its first request: its partition's leadership moves to broker 1.
        broker2Up = false;
        leaderOf = { 0: 1, 1: 1 };
        throw new KafkaJSConnectionError('Connection closed');
      }
      for (const { partitions } of topicData)
        for (const { partition, messages } of partitions)
          for (const { value } of messages) written.push({ broker: nodeId, partition, value });
      return {
        topics: topicData.map(({ topic, partitions }) => ({
          topicName: topic,
          partitions: partitions.map(({ partition }) => ({ partition, errorCode: 0, baseOffset: '0' })),
        })),
      };
    },
  });
  const brokers = { 1: broker(1), 2: broker(2) };
  const cluster = {
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => undefined,
    addMultipleTargetTopics: async () => undefined,
    isConnected: () => true,
    removeBroker: () => undefined,
    findTopicPartitionMetadata: () =>
      [0, 1].map((partitionId) => ({
        partitionId,
        leader: leaderOf[partitionId],
        replicas: [1, 2],
        isr: [1, 2],
      })),
    findLeaderForPartitions: (_topic: string, partitions: number[]) => {
      const byLeader: Record<string, number[]> = {};
      for (const p of partitions.map(Number)) (byLeader[leaderOf[p]!] ??= []).push(p);
      return byLeader;
    },
    findBroker: async ({ nodeId }: { nodeId: string }) => brokers[Number(nodeId) as 1 | 2],
  };
  return { cluster, written };
}

const eosManager = {
  isTransactional: () => false,
  acquireBrokerLock: async () => undefined,
  releaseBrokerLock: async () => undefined,
  getSequence: () => 0,
  updateSequence: () => undefined,
  getProducerId: () => -1,
  getProducerEpoch: () => 0,
  getTransactionalId: () => undefined,
};
const silent = {
  debug: () => undefined,
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
};

describe("kafkajs' producer retry when a partition's leader dies mid-send (patched)", () => {
  it("writes every record: the dead broker's partition is sent again to its new leader, which had answered already", async () => {
    const { cluster, written } = clusterWithFailover();
    const sendMessages = createSendMessages({
      logger: silent,
      cluster,
      partitioner: ({ message }: { message: { partition: number } }) => message.partition,
      eosManager,
      retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 }),
    });
    const responses = await sendMessages({
      acks: -1,
      timeout: 1000,
      topicMessages: [
        {
          topic: 'rad.inbound.hl7v2.v1',
          messages: [
            { key: 'a', value: 'report for partition 0', partition: 0 },
            { key: 'b', value: 'report for partition 1', partition: 1 },
          ],
        },
      ],
    });
    expect(written.map((w) => w.value).sort()).toEqual(['report for partition 0', 'report for partition 1']);
    expect(written.find((w) => w.partition === 1)?.broker).toBe(1);
    expect(responses.map((r) => r.partition).sort()).toEqual([0, 1]);
  });
});
