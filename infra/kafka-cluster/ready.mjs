// Readiness probe for the local three-broker cluster (infra/kafka-cluster.sh), with radflow's client (kafkajs).
// "Ready" means: the cluster metadata names all three brokers and a controller; the probe topic (replication factor 3)
// has a leader and all three replicas in sync on every partition; a producer writes with acks=-1 (so at least
// min.insync.replicas=2 have it); a consumer group reads the record back and commits its offset, which the admin sees.
// --all-in-sync: also every partition of every topic has all its replicas in sync (a restarted broker has caught up).
// Retries until --timeout-ms; exit 0 ready, 1 not.
/* global process */
import * as probe from '../lib/kafka-probe.mjs';

probe.quietKafkajs();

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9292,127.0.0.1:9293,127.0.0.1:9294').split(',');
const limits = probe.probeDeadline(120_000);
const allInSync = process.argv.includes('--all-in-sync');
const topic = 'radflow.infra.cluster-probe';
const groupId = 'radflow-infra-cluster-ready';
const EXPECTED_BROKERS = 3;

/** Partitions whose in-sync replicas are fewer than their replicas (or that have no leader). */
function underReplicated(metadata) {
  return metadata.topics.flatMap((t) =>
    t.partitions
      .filter((p) => p.leader < 0 || p.isr.length < p.replicas.length)
      .map((p) => `${t.name}/${p.partitionId}`),
  );
}

async function probeOnce() {
  const kafka = probe.probeKafka('radflow-infra-cluster-ready', brokers);
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
    await probe.ensureProbeTopic(admin, topic, 3, EXPECTED_BROKERS);
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

    const nonce = await probe.produceProbeRecord(producer, topic);

    const consumed = await probe.readBackAndCommit(consumer, topic, nonce, {
      deadline: limits.deadline,
      what: 'consume of the probe message',
    });
    await probe.assertCommittedAfter(admin, groupId, topic, consumed);
    return { brokers: cluster.brokers.length, controller: cluster.controller, ms: Date.now() - started };
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}

/** The line printed once ready. */
function ready(r, attempts) {
  return (
    `kafka cluster ready at ${brokers.join(',')}: ${r.brokers} brokers (controller ${r.controller}), ` +
    `replication factor 3 in sync${allInSync ? ' on every topic' : ''}, produced acks=-1, ` +
    `group ${groupId} committed (${r.ms} ms, attempt ${attempts})`
  );
}

await probe.probeUntilReady({ name: 'kafka cluster', brokers, limits, pauseMs: 1_000, probeOnce, ready });
