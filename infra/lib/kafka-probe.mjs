// The parts every Kafka readiness probe of infra/ shares (infra/kafka, infra/kafka-secure and infra/kafka-cluster
// ready.mjs): kafkajs kept quiet, its client settings, the --timeout-ms deadline, topic creation, the probe record, the read back of the probe record with
// its offset committed, the committed offset checked, and the retry loop that exits 0 ready or 1 not. Each ready.mjs
// keeps what makes its broker ready (client settings, the producer, cluster checks) and its messages.
/* global process, console, setTimeout, clearTimeout */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** kafkajs 2.2.4 on Node 24 schedules a timer with a negative delay (tulios/kafkajs#1751); harmless, so keep the probe's output clean. */
export function quietKafkajs() {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name !== 'TimeoutNegativeWarning') console.warn(w);
  });
}

/** The probe's limits: --timeout-ms N from the command line, else `defaultMs`, and the deadline it sets from now. */
export function probeDeadline(defaultMs) {
  const timeoutArg = process.argv.indexOf('--timeout-ms');
  const timeoutMs = timeoutArg > 0 ? Number(process.argv[timeoutArg + 1]) : defaultMs;
  return { timeoutMs, deadline: Date.now() + timeoutMs };
}

/** A kafkajs client that fails fast and says nothing (the probe reports); `options` adds to or overrides these. */
export function probeKafka(clientId, brokers, options = {}) {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 200 },
    ...options,
  });
}

/** Connects the producer and writes one record with acks=-1; resolves with its value, a fresh nonce. */
export async function produceProbeRecord(producer, topic) {
  await producer.connect();
  const nonce = randomUUID();
  const [sent] = await producer.send({ topic, acks: -1, messages: [{ key: 'probe', value: nonce }] });
  if (!sent || sent.errorCode !== 0) throw new Error(`produce failed: ${JSON.stringify(sent)}`);
  return nonce;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withDeadline(promise, what, deadline) {
  const left = Math.max(1_000, deadline - Date.now());
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), left);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Creates the probe topic unless it exists; resolves with the topics there were before. */
export async function ensureProbeTopic(admin, topic, numPartitions, replicationFactor) {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) {
    await admin.createTopics({
      topics: [{ topic, numPartitions, replicationFactor }],
      waitForLeaders: true,
    });
  }
  return topics;
}

/**
 * Joins the consumer's group, reads `topic` from the beginning until the record whose value is `nonce`, commits the
 * offset after it, and resolves with its partition and offset; `what` names the read in the timeout's message.
 */
export async function readBackAndCommit(consumer, topic, nonce, { deadline, what }) {
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
  await withDeadline(read, what, deadline);
  return consumed;
}

/** Throws unless the admin sees the group's committed offset right after the consumed record; resolves with it. */
export async function assertCommittedAfter(admin, groupId, topic, consumed) {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committedOffset = committed?.partitions.find((p) => p.partition === consumed.partition)?.offset;
  if (BigInt(committedOffset ?? '-1') !== BigInt(consumed.offset) + 1n) {
    throw new Error(`committed offset ${committedOffset} does not follow consumed ${consumed.offset}`);
  }
  return committedOffset;
}

/**
 * Runs `probeOnce` until it resolves or the deadline of `limits` (probeDeadline) passes, `pauseMs` apart; prints `ready(result, attempts)` and
 * exits 0, or prints why the last attempt failed and exits 1. `name` and `brokers` start the failure's line.
 */
export async function probeUntilReady({ name, brokers, limits, pauseMs, probeOnce, ready }) {
  const { timeoutMs, deadline } = limits;
  let lastError;
  let attempts = 0;
  while (Date.now() < deadline) {
    attempts += 1;
    try {
      const result = await probeOnce();
      console.log(ready(result, attempts));
      process.exit(0);
    } catch (err) {
      lastError = err;
      await sleep(pauseMs);
    }
  }
  console.error(
    `${name} NOT ready at ${brokers.join(',')} after ${timeoutMs} ms (${attempts} attempts): ${lastError?.message ?? lastError}`,
  );
  process.exit(1);
}
