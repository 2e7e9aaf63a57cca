// One-off compatibility check of kafkajs 2.2.4 against the local Kafka 3.9.1 broker, beyond what
// ready.mjs probes: idempotent producer, transactional producer (commit and abort, read_committed
// consumer), GZIP compression, headers, group description, topic deletion.
// Run: node infra/kafka/compat-check.mjs   (exit 0 = every check passed)
/* global process, console, setTimeout */
import { randomUUID } from 'node:crypto';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
process.removeAllListeners('warning');

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'radflow-compat-check', brokers, logLevel: logLevel.NOTHING });
const topic = `radflow.infra.compat-${randomUUID()}`;
const groupId = `radflow-compat-${randomUUID()}`;
const results = [];
const check = (name, ok, detail = '') => {
  results.push({ name, ok });
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
};

const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  topics: [{ topic, numPartitions: 2, replicationFactor: 1 }],
  waitForLeaders: true,
});

const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await idempotent.connect();
const [r1] = await idempotent.send({
  topic,
  acks: -1,
  compression: CompressionTypes.GZIP,
  messages: [{ key: 'k1', value: 'idempotent', headers: { 'radflow-event': 'test' } }],
});
check('idempotent producer, acks=-1, GZIP, headers', r1?.errorCode === 0);
await idempotent.disconnect();

const transactional = kafka.producer({
  transactionalId: `radflow-compat-${randomUUID()}`,
  idempotent: true,
  maxInFlightRequests: 1,
});
await transactional.connect();
const committedTx = await transactional.transaction();
await committedTx.send({ topic, messages: [{ key: 'k1', value: 'committed' }] });
await committedTx.commit();
const abortedTx = await transactional.transaction();
await abortedTx.send({ topic, messages: [{ key: 'k1', value: 'aborted' }] });
await abortedTx.abort();
check('transactional producer commit + abort', true);
await transactional.disconnect();

const consumer = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 6_000 });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
const seen = [];
let headerOk = false;
await consumer.run({
  eachMessage: async ({ message }) => {
    seen.push(message.value?.toString());
    if (message.headers?.['radflow-event']?.toString() === 'test') headerOk = true;
  },
});
const deadline = Date.now() + 30_000;
while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
await new Promise((r) => setTimeout(r, 1_000)); // would an aborted record still arrive?
check(
  'read_committed consumer sees committed, not aborted',
  seen.includes('committed') && !seen.includes('aborted'),
  seen.join(','),
);
check('headers round trip', headerOk);
const description = await admin.describeGroups([groupId]);
check(
  'group described as Stable with one member',
  description.groups[0]?.state === 'Stable' && description.groups[0]?.members.length === 1,
  description.groups[0]?.state,
);
await consumer.disconnect();

const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
const committed = offsets[0]?.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
check('auto-committed offsets visible to admin', committed > 0, `sum ${committed}`);

await admin.deleteGroups([groupId]).catch(() => undefined);
await admin.deleteTopics({ topics: [topic] });
check('topic deletion', !(await admin.listTopics()).includes(topic));
await admin.disconnect();

const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
