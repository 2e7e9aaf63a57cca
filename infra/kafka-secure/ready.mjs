// Readiness probe for the SASL_SSL broker of infra/kafka-secure.sh, with radflow's client (kafkajs 2.2.4).
// "Ready" means: a TLS connection that verifies the broker's certificate against KAFKA_SSL_CA_FILE, SCRAM
// authentication as KAFKA_SASL_USERNAME, a topic created, a record produced in a committed transaction (the broker
// then writes the transaction markers to itself over its SASL_SSL inter-broker listener), and a read_committed
// consumer group that reads it back and commits. Settings come from the environment (infra/kafka-secure.sh env).
// Retries until --timeout-ms; exit 0 ready, 1 not. Never prints the password.
/* global process, console, setTimeout, clearTimeout */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
// kafkajs 2.2.4 on Node 24 schedules a timer with a negative delay (tulios/kafkajs#1751); harmless.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'TimeoutNegativeWarning') console.warn(w);
});

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set (source the output of infra/kafka-secure.sh env)`);
    process.exit(1);
  }
  return value;
};
const brokers = env('KAFKA_BROKERS').split(',');
const ca = readFileSync(env('KAFKA_SSL_CA_FILE'), 'utf8');
const sasl = {
  mechanism: env('KAFKA_SASL_MECHANISM'),
  username: env('KAFKA_SASL_USERNAME'),
  password: env('KAFKA_SASL_PASSWORD'),
};
const timeoutArg = process.argv.indexOf('--timeout-ms');
const timeoutMs = timeoutArg > 0 ? Number(process.argv[timeoutArg + 1]) : 60_000;
const deadline = Date.now() + timeoutMs;
const topic = 'radflow.infra.secure-ready-probe';
const groupId = 'radflow-infra-secure-ready';

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
    clientId: 'radflow-infra-secure-ready',
    brokers,
    ssl: { ca: [ca] },
    sasl,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({
    transactionalId: `radflow-infra-secure-ready-${randomUUID()}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 6_000,
    heartbeatInterval: 1_000,
    readUncommitted: false,
  });
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
    const transaction = await producer.transaction();
    try {
      await transaction.send({ topic, acks: -1, messages: [{ key: 'probe', value: nonce }] });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }

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
    await withDeadline(consumed, 'read_committed consume of the probe message');
    return { offset: consumedOffset, ms: Date.now() - started };
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
      `secure kafka ready at ${brokers.join(',')} (TLS + ${sasl.mechanism} as ${sasl.username}): transaction committed, ` +
        `read back at offset ${r.offset} by group ${groupId} (${r.ms} ms, attempt ${attempts})`,
    );
    process.exit(0);
  } catch (err) {
    lastError = err;
    await sleep(500);
  }
}
console.error(
  `secure kafka NOT ready at ${brokers.join(',')} after ${timeoutMs} ms (${attempts} attempts): ${lastError?.message ?? lastError}`,
);
process.exit(1);
