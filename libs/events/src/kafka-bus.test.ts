import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@radflow/config';
import { KafkaBus, TransientError, type ConsumedRecord } from './index.ts';

// Integration test on the real broker that infra/kafka.sh starts: consume-transform-produce in transactions.
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const logger = createLogger('kafka-bus-test', 'silent');
const run = randomUUID().slice(0, 8);
const input = `radflow.test.bus-in-${run}`;
const output = `radflow.test.bus-out-${run}`;
let bus: KafkaBus;
let reader: KafkaBus;
const seen: ConsumedRecord[] = [];
const stops: Array<() => Promise<void>> = [];
const settled = new Map<string, number>();
const abandoned: string[] = [];
/** Handler runs per input record. */
const attempts = new Map<string, number>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(100);
  }
}
const outputs = (tag: string) => seen.filter((r) => r.value?.toString() === `out:${tag}`);

beforeAll(async () => {
  bus = new KafkaBus(config.kafka, logger);
  reader = new KafkaBus(config.kafka, logger);
  await bus.createTopics([input, `${input}.dlq`, output], 1);
  // A read_committed reader of the output topic, as every radflow consumer is.
  stops.push(
    await reader.subscribe({
      groupId: `bus-test-reader-${run}`,
      stage: 'reader',
      topics: [output, `${input}.dlq`],
      startFrom: 'earliest',
      handle: async (record) => void seen.push(record),
    }),
  );
  stops.push(
    await bus.subscribe({
      groupId: `bus-test-stage-${run}`,
      stage: 'stage',
      topics: [input],
      startFrom: 'earliest',
      retryPolicy: { initialDelayMs: 10, maxDelayMs: 50, maxUnclassifiedAttempts: 2 },
      handle: async (record, context) => {
        const tag = record.value!.toString();
        const attempt = (attempts.get(tag) ?? 0) + 1;
        attempts.set(tag, attempt);
        if (tag.startsWith('settle')) {
          // The ledger's done mark, failing while the database restarts: after the commit, so never a re-send.
          let marks = 0;
          context.output.afterCommit({
            complete: async () => {
              marks++;
              settled.set(tag, marks);
              if (marks < 3) throw new TransientError('database restarting', 'DATABASE_UNAVAILABLE');
            },
            abandon: async () => void abandoned.push(tag),
          });
        }
        // Output first, failure after: a failed attempt's output must never be seen.
        await context.output.publish(output, [{ key: tag, value: `out:${tag}` }]);
        if (tag.startsWith('flaky') && attempt < 3) throw new TransientError('not yet', 'FLAKY');
        if (tag.startsWith('broken')) throw Object.assign(new Error('bad record'), { permanent: true });
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  for (const stop of stops) await stop();
  await bus.disconnect();
  await reader.disconnect();
  const admin = new Kafka({
    clientId: 'kafka-bus-test',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [input, `${input}.dlq`, output] }).catch(() => undefined);
  await admin.disconnect();
}, 60_000);

describe('KafkaBus consume-transform-produce on the real broker', () => {
  it('commits the output of the successful attempt only: once, however many attempts failed after publishing', async () => {
    await bus.publish(input, [
      { key: 'k', value: 'ok-1' },
      { key: 'k', value: 'flaky-1' },
      { key: 'k', value: 'ok-2' },
    ]);
    await until(() => outputs('ok-2').length > 0);
    await sleep(1_000);
    expect(outputs('ok-1')).toHaveLength(1);
    expect(outputs('flaky-1')).toHaveLength(1);
    expect(outputs('ok-2')).toHaveLength(1);
  }, 60_000);

  it('marks work done only after the commit, retrying the mark without re-running the handler or re-sending', async () => {
    await bus.publish(input, [{ key: 'k', value: 'settle-1' }]);
    await until(() => settled.get('settle-1') === 3);
    await sleep(1_000);
    expect(outputs('settle-1')).toHaveLength(1);
    expect(attempts.get('settle-1')).toBe(1);
    expect(abandoned).toEqual([]);
  }, 60_000);

  it('dead-letters a permanent failure once, without the output its handler had staged', async () => {
    await bus.publish(input, [{ key: 'k', value: 'broken-1' }]);
    await until(() => seen.some((r) => r.topic === `${input}.dlq`));
    await sleep(1_000);
    expect(seen.filter((r) => r.topic === `${input}.dlq`).map((r) => r.value?.toString())).toEqual([
      'broken-1',
    ]);
    expect(outputs('broken-1')).toHaveLength(0);
  }, 60_000);

  it('a new group starting at latest sees everything published once subscribe() has resolved, nothing before', async () => {
    const received: string[] = [];
    await bus.publish(input, [{ key: 'k', value: 'before-latest' }]);
    const stop = await reader.subscribe({
      groupId: `bus-test-latest-${run}`,
      stage: 'latest',
      topics: [input],
      startFrom: 'latest',
      handle: async (record) => void received.push(record.value!.toString()),
    });
    stops.push(stop);
    await bus.publish(input, [{ key: 'k', value: 'after-latest' }]);
    await until(() => received.includes('after-latest'));
    expect(received).toEqual(['after-latest']);
  }, 60_000);

  it('refuses output after the handler has resolved (it would be lost)', async () => {
    let late: unknown;
    const done = new Promise<void>((resolve) => {
      void reader
        .subscribe({
          groupId: `bus-test-late-${run}`,
          stage: 'late',
          topics: [input],
          startFrom: 'latest',
          handle: async (_record, context) => {
            setTimeout(() => {
              void context.output
                .publish(output, [{ key: 'k', value: 'late' }])
                .then(() => (late = 'accepted'))
                .catch((error: unknown) => (late = error))
                .finally(resolve);
            }, 10);
          },
        })
        .then((stop) => stops.push(stop));
    });
    await sleep(3_000);
    await bus.publish(input, [{ key: 'k', value: 'trigger-late' }]);
    await done;
    expect(String(late)).toMatch(/after its handler resolved/);
  }, 60_000);
});
