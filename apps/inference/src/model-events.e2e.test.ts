import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { createLogger, loadConfig } from '@radflow/config';
import { createEnvelope, KafkaBus, Topics } from '@radflow/events';
import { startHost, type RunningHost } from '@radflow/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferenceApp } from './inference.app.ts';
import { modelCopiesRoot, modelCopy } from './testing.ts';

// The served model and every promoted one live under modelCopiesRoot, the only allowed root here: promotions other
// runs left on the topic (replayed from the beginning) point elsewhere and are refused, so ours is the one served.
const prefix = `inference-it-${randomUUID().slice(0, 8)}`;
const config = loadConfig({
  ...process.env,
  KAFKA_GROUP_PREFIX: prefix,
  MODEL_DIR: modelCopy('0.1.0'),
  RETRAIN_WORK_DIR: modelCopiesRoot,
  LOG_LEVEL: 'error',
});
const kafka = new Kafka({ clientId: prefix, brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const bus = new KafkaBus(config.kafka, createLogger('model-events-test'));
let host: RunningHost | undefined;

async function ourGroups(): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
}

async function servedVersion(): Promise<string | undefined> {
  const response = await fetch(`http://127.0.0.1:${host?.httpPort}/ready`);
  const body = (await response.json()) as { model?: { version: string } };
  return body.model?.version;
}

beforeAll(async () => {
  await admin.connect();
  host = await startHost([inferenceApp], config, { httpPort: 0 });
}, 60_000);

afterAll(async () => {
  await host?.close();
  await bus.disconnect();
  await admin.disconnect();
  rmSync(modelCopiesRoot, { recursive: true, force: true });
});

describe('inference app on the radflow host, real broker: model.promoted hot reload', () => {
  it('serves a promoted model, and its per-process consumer group is gone once it stops', async () => {
    expect(await servedVersion()).toBe('0.1.0');
    const promotedDir = modelCopy('0.1.1-promoted');
    const payload = {
      kind: 'model.promoted',
      name: 'radflow-tiny-random',
      version: '0.1.1-promoted',
      modelDir: promotedDir,
      action: 'promotion',
      occurredAt: new Date().toISOString(),
    };
    const event = createEnvelope('rad.model.events', 1, payload, {
      sourceMessageId: randomUUID(),
      producer: 'model-events-test',
    });
    await bus.publishEvent(Topics.modelEvents, payload.name, event);
    const deadline = Date.now() + 60_000;
    while ((await servedVersion()) !== '0.1.1-promoted' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await servedVersion()).toBe('0.1.1-promoted');

    // One group while the instance runs (every instance reads every promotion) ...
    expect(await ourGroups()).toHaveLength(1);
    await host?.close();
    host = undefined;
    // ... and none left behind after it stops.
    expect(await ourGroups()).toEqual([]);
  }, 90_000);
});
