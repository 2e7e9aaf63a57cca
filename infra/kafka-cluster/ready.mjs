// Readiness probe for the local three-broker cluster (infra/kafka-cluster.sh), with radflow's client (kafkajs).
// "Ready" means: the cluster metadata names all three brokers and a controller; the probe topic (replication factor 3)
// has a leader and all three replicas in sync on every partition; a producer writes with acks=-1 (so at least
// min.insync.replicas=2 have it); a consumer group reads the record back and commits its offset, which the admin sees.
// --all-in-sync: also every partition of every topic has all its replicas in sync (a restarted broker has caught up).
// Retries until --timeout-ms; exit 0 ready, 1 not.
/* global process, console, setTimeout, clearTimeout */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
// kafkajs 2.2.4 on Node 24 schedules a timer with a negative delay (tulios/kafkajs#1751); harmless.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'TimeoutNegativeWarning') console.warn(w);
});

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9292,127.0.0.1:9293,127.0.0.1:9294').split(',');
const timeoutArg = process.argv.indexOf('--timeout-ms');
const timeoutMs = timeoutArg > 0 ? Number(process.argv[timeoutArg + 1]) : 120_000;
const allInSync = process.argv.includes('--all-in-sync');
const deadline = Date.now() + timeoutMs;
const topic = 'radflow.infra.cluster-probe';
const groupId = 'radflow-infra-cluster-ready';
const EXPECTED_BROKERS = 3;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withDeadline(promise, what) {
  const left = Math.max(1_000, deadline - Date.now());
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), left);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Partitions whose in-sync replicas are fewer than their replicas (or that have no leader). */
function underReplicated(metadata) {
  return metadata.topics.flatMap((t) =>
    t.partitions
      .filter((p) => p.leader < 0 || p.isr.length < p.replicas.length)
      .map((p) => `${t.name}/${p.partitionId}`),
  );
}

async function probeOnce() {
  const kafka = new Kafka({
    clientId: 'radflow-infra-cluster-ready',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
  const started = Date.now();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (
      cluster.brokers.length !== EXPECTED_BROKERS ||
      cluster.controller === null ||
      cluster.controller < 0
    ) {
      throw new Error(
        `cluster has ${cluster.brokers.length} of ${EXPECTED_BROKERS} brokers, controller ${cluster.controller}`,
      );
    }
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) {
      await admin.createTopics({
        topics: [{ topic, numPartitions: 3, replicationFactor: EXPECTED_BROKERS }],
        waitForLeaders: true,
      });
    }
    const probeMetadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const notInSync = underReplicated(probeMetadata);
    if (notInSync.length > 0) throw new Error(`probe partitions not fully in sync: ${notInSync.join(' ')}`);
    if (allInSync) {
      const all = await admin.fetchTopicMetadata({ topics: await admin.listTopics() });
      const lagging = underReplicated(all);
      if (lagging.length > 0)
        throw new Error(
          `${lagging.length} partitions not fully in sync, e.g. ${lagging.slice(0, 3).join(' ')}`,
        );
    }

    await producer.connect();
    const nonce = randomUUID();
    const [sent] = await producer.send({ topic, acks: -1, messages: [{ key: 'probe', value: nonce }] });
    if (!sent || sent.errorCode !== 0) throw new Error(`produce failed: ${JSON.stringify(sent)}`);

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let consumed;
    const read = new Promise((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (message.value?.toString() !== nonce) return;
            const next = (BigInt(message.offset) + 1n).toString();
            await consumer.commitOffsets([{ topic, partition, offset: next }]);
            consumed = { partition, offset: message.offset };
            resolve();
          },
        })
        .catch(reject);
    });
    await withDeadline(read, 'consume of the probe message');

    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedOffset = committed?.partitions.find((p) => p.partition === consumed.partition)?.offset;
    if (BigInt(committedOffset ?? '-1') !== BigInt(consumed.offset) + 1n) {
      throw new Error(`committed offset ${committedOffset} does not follow consumed ${consumed.offset}`);
    }
    return { brokers: cluster.brokers.length, controller: cluster.controller, ms: Date.now() - started };
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}

let lastError;
let attempts = 0;
while (Date.now() < deadline) {
  attempts += 1;
  try {
    const r = await probeOnce();
    console.log(
      `kafka cluster ready at ${brokers.join(',')}: ${r.brokers} brokers (controller ${r.controller}), ` +
        `replication factor 3 in sync${allInSync ? ' on every topic' : ''}, produced acks=-1, ` +
        `group ${groupId} committed (${r.ms} ms, attempt ${attempts})`,
    );
    process.exit(0);
  } catch (err) {
    lastError = err;
    await sleep(1_000);
  }
}
console.error(
  `kafka cluster NOT ready at ${brokers.join(',')} after ${timeoutMs} ms (${attempts} attempts): ${lastError?.message ?? lastError}`,
);
process.exit(1);
