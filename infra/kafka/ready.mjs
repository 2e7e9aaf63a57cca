// Readiness probe for the local Kafka broker, using the same client radflow uses (kafkajs).
// "Ready" means a real round trip: admin lists/creates topics, a producer writes with acks=-1,
// a consumer joins a group, reads that message back and commits its offset, and the admin
// sees the committed offset. Retries until --timeout-ms; exit 0 ready, 1 not.
/* global process */
import * as probe from '../lib/kafka-probe.mjs';

probe.quietKafkajs();

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const limits = probe.probeDeadline(60_000);
const topic = 'radflow.infra.ready-probe';
const groupId = 'radflow-infra-ready';

async function probeOnce() {
  const kafka = probe.probeKafka('radflow-infra-ready', brokers);
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  // The smallest session timeout the broker allows, so a probe killed mid-way does not stall the next join.
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
  const started = Date.now();
  try {
    await admin.connect();
    const topics = await probe.ensureProbeTopic(admin, topic, 1, 1);

    const nonce = await probe.produceProbeRecord(producer, topic);

    const consumed = await probe.readBackAndCommit(consumer, topic, nonce, {
      deadline: limits.deadline,
      what: 'consume of the probe message',
    });
    const committed = await probe.assertCommittedAfter(admin, groupId, topic, consumed);
    return { topics: topics.length, offset: consumed.offset, committed, ms: Date.now() - started };
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}

/** The line printed once ready. */
function ready(r, attempts) {
  return (
    `kafka ready at ${brokers.join(',')}: ${r.topics} topics, produced acks=-1 at offset ${r.offset}, ` +
    `group ${groupId} joined and committed ${r.committed} (${r.ms} ms, attempt ${attempts})`
  );
}

await probe.probeUntilReady({ name: 'kafka', brokers, limits, pauseMs: 500, probeOnce, ready });
