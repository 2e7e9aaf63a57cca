// Readiness probe for the SASL_SSL broker of infra/kafka-secure.sh, with radflow's client (kafkajs 2.2.4).
// "Ready" means: a TLS connection that verifies the broker's certificate against KAFKA_SSL_CA_FILE, SCRAM
// authentication as KAFKA_SASL_USERNAME, a topic created, a record produced in a committed transaction (the broker
// then writes the transaction markers to itself over its SASL_SSL inter-broker listener), and a read_committed
// consumer group that reads it back and commits. Settings come from the environment (infra/kafka-secure.sh env).
// Retries until --timeout-ms; exit 0 ready, 1 not. Never prints the password.
/* global process, console */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as probe from '../lib/kafka-probe.mjs';

probe.quietKafkajs();

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
const limits = probe.probeDeadline(60_000);
const topic = 'radflow.infra.secure-ready-probe';
const groupId = 'radflow-infra-secure-ready';

async function probeOnce() {
  const kafka = probe.probeKafka('radflow-infra-secure-ready', brokers, {
    ssl: { ca: [ca] },
    sasl,
    connectionTimeout: 5_000,
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
    await probe.ensureProbeTopic(admin, topic, 1, 1);

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

    const consumed = await probe.readBackAndCommit(consumer, topic, nonce, {
      deadline: limits.deadline,
      what: 'read_committed consume of the probe message',
    });
    return { offset: consumed.offset, ms: Date.now() - started };
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}

/** The line printed once ready. */
function ready(r, attempts) {
  return (
    `secure kafka ready at ${brokers.join(',')} (TLS + ${sasl.mechanism} as ${sasl.username}): transaction committed, ` +
    `read back at offset ${r.offset} by group ${groupId} (${r.ms} ms, attempt ${attempts})`
  );
}

await probe.probeUntilReady({ name: 'secure kafka', brokers, limits, pauseMs: 500, probeOnce, ready });
