import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@radflow/config';
import { silentBusObserver } from './bus-observer.ts';
import { KafkaBus, TransientError, type ConsumedRecord } from './index.ts';

// Micro-batching on the real broker (Subscription.maxBatchRecords): several records' outputs and the last offset in
// one transaction, each record still handled, retried and dead-lettered on its own.
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const logger = createLogger('kafka-bus-batch-test', 'silent');
const run = randomUUID().slice(0, 8);
const input = `radflow.test.batch-in-${run}`;
const output = `radflow.test.batch-out-${run}`;
const seen: ConsumedRecord[] = [];
const stops: Array<() => Promise<void>> = [];
/** Output sends that reached the broker: one per committed transaction and topic. */
let outputCommits = 0;
/** A stand-in for the idempotency ledger: a key is claimed by the handler and released once its output commits. */
const claimed = new Set<string>();
const attempts = new Map<string, number>();
let bus: KafkaBus;
let reader: KafkaBus;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(100);
  }
}
const outputs = (tag: string) =>
  seen.filter((r) => r.topic === output && r.value?.toString() === `out:${tag}`);

beforeAll(async () => {
  bus = new KafkaBus(config.kafka, logger, {
    ...silentBusObserver,
    produced: (_stage, topic) => void (topic === output && outputCommits++),
  });
  reader = new KafkaBus(config.kafka, logger);
  await bus.createTopics([input, `${input}.dlq`, output], 1);
  stops.push(
    await reader.subscribe({
      groupId: `batch-test-reader-${run}`,
      stage: 'reader',
      topics: [output, `${input}.dlq`],
      startFrom: 'earliest',
      handle: async (record) => void seen.push(record),
    }),
  );
  stops.push(
    await bus.subscribe({
      groupId: `batch-test-stage-${run}`,
      stage: 'stage',
      topics: [input],
      startFrom: 'earliest',
      maxBatchRecords: 25,
      retryPolicy: { initialDelayMs: 10, maxDelayMs: 50, maxUnclassifiedAttempts: 2 },
      handle: async (record, context) => {
        const tag = record.value!.toString();
        const key = record.key!.toString();
        attempts.set(tag, (attempts.get(tag) ?? 0) + 1);
        // A second record of a key whose first is still uncommitted in the same micro-batch waits for its claim:
        // the bus must commit the finished records before retrying, or this would never end.
        if (claimed.has(key)) throw new TransientError('claim held', 'LEDGER_CLAIM_HELD');
        claimed.add(key);
        context.output.afterCommit({
          complete: async () => void claimed.delete(key),
          abandon: async () => void claimed.delete(key),
        });
        await context.output.publish(output, [{ key, value: `out:${tag}` }]);
        if (tag === 'flaky' && attempts.get(tag)! < 2) throw new TransientError('not yet', 'FLAKY');
        if (tag === 'broken') throw Object.assign(new Error('bad record'), { permanent: true });
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  for (const stop of stops) await stop();
  await bus.disconnect();
  await reader.disconnect();
  const admin = new Kafka({
    clientId: 'batch-test',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [input, `${input}.dlq`, output] }).catch(() => undefined);
  await admin.disconnect();
}, 60_000);

describe('KafkaBus micro-batches on the real broker', () => {
  it('commits many records per transaction, every output exactly once, failures handled per record', async () => {
    const tags = Array.from({ length: 60 }, (_, i) => `r${i}`);
    tags.splice(20, 0, 'flaky');
    tags.splice(40, 0, 'broken');
    tags.push('same-key-twice-a', 'same-key-twice-b');
    await bus.publish(
      input,
      tags.map((tag) => ({ key: tag.startsWith('same-key') ? 'shared' : tag, value: tag })),
    );
    await until(() => outputs('same-key-twice-b').length > 0);
    await sleep(1_000);
    for (const tag of tags.filter((t) => t !== 'broken')) expect(outputs(tag), tag).toHaveLength(1);
    expect(outputs('broken')).toHaveLength(0);
    expect(seen.filter((r) => r.topic === `${input}.dlq`).map((r) => r.value?.toString())).toEqual([
      'broken',
    ]);
    expect(attempts.get('flaky')).toBe(2);
    expect(attempts.get('same-key-twice-b')).toBeGreaterThan(1);
    // 63 records with output, far fewer transactions (a retry commits what is finished; 25 at most per batch)
    expect(outputCommits).toBeLessThan(20);
    expect(outputCommits).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
