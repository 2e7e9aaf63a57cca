// Readiness probe for the local Kafka broker, using the same client radflow uses (kafkajs).
// "Ready" means a real round trip: admin lists/creates topics, a producer writes with acks=-1,
// a consumer joins a group, reads that message back and commits its offset, and the admin
// sees the committed offset. Retries until --timeout-ms; exit 0 ready, 1 not.
/* global process, console, setTimeout, clearTimeout */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
// kafkajs 2.2.4 on Node 24 schedules a timer with a negative delay (tulios/kafkajs#1751); harmless, so keep the probe's output clean.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'TimeoutNegativeWarning') console.warn(w);
});

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const timeoutArg = process.argv.indexOf('--timeout-ms');
const timeoutMs = timeoutArg > 0 ? Number(process.argv[timeoutArg + 1]) : 60_000;
const deadline = Date.now() + timeoutMs;
const topic = 'radflow.infra.ready-probe';
const groupId = 'radflow-infra-ready';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withDeadline(promise, what) {
  const left = Math.max(1_000, deadline - Date.now());
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), left);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function probeOnce() {
  const kafka = new Kafka({
    clientId: 'radflow-infra-ready',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  // The smallest session timeout the broker allows, so a probe killed mid-way does not stall the next join.
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
  const started = Date.now();
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) {
      await admin.createTopics({
        topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
        waitForLeaders: true,
      });
    }

    await producer.connect();
    const nonce = randomUUID();
    const [sent] = await producer.send({ topic, acks: -1, messages: [{ key: 'probe', value: nonce }] });
    if (!sent || sent.errorCode !== 0) throw new Error(`produce failed: ${JSON.stringify(sent)}`);

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let consumedOffset;
    const consumed = new Promise((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (message.value?.toString() !== nonce) return;
            const next = (BigInt(message.offset) + 1n).toString();
            await consumer.commitOffsets([{ topic, partition, offset: next }]);
            consumedOffset = message.offset;
            resolve();
          },
        })
        .catch(reject);
    });
    await withDeadline(consumed, 'consume of the probe message');

    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedOffset = committed?.partitions[0]?.offset;
    if (BigInt(committedOffset ?? '-1') !== BigInt(consumedOffset) + 1n) {
      throw new Error(`committed offset ${committedOffset} does not follow consumed ${consumedOffset}`);
    }
    return {
      topics: topics.length,
      offset: consumedOffset,
      committed: committedOffset,
      ms: Date.now() - started,
    };
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
      `kafka ready at ${brokers.join(',')}: ${r.topics} topics, produced acks=-1 at offset ${r.offset}, ` +
        `group ${groupId} joined and committed ${r.committed} (${r.ms} ms, attempt ${attempts})`,
    );
    process.exit(0);
  } catch (err) {
    lastError = err;
    await sleep(500);
  }
}
console.error(
  `kafka NOT ready at ${brokers.join(',')} after ${timeoutMs} ms (${attempts} attempts): ${lastError?.message ?? lastError}`,
);
process.exit(1);
