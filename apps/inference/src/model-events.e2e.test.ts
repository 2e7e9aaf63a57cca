import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { createLogger, loadConfig } from '@radflow/config';
import { createTopicEvent, KafkaBus, Topics } from '@radflow/events';
import { startHost, type RunningHost } from '@radflow/platform';
import type { ModelEventPayload } from '@radflow/schemas';
import { migrate, ModelDeployments, ModelVersions, openDatabase, type Database } from '@radflow/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferenceApp } from './inference.app.ts';
import { modelCopiesRoot, modelCopy } from './testing.ts';

// A model name of this run's own: the registry (PostgreSQL) and the topic are shared with every other run.
const prefix = `inference-it-${randomUUID().slice(0, 8)}`;
const modelName = `radflow-tiny-${prefix}`;
const config = loadConfig({
  ...process.env,
  KAFKA_GROUP_PREFIX: prefix,
  MODEL_DIR: modelCopy('0.1.0', modelName),
  RETRAIN_WORK_DIR: modelCopiesRoot,
  LOG_LEVEL: 'error',
});
const kafka = new Kafka({ clientId: prefix, brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const bus = new KafkaBus(config.kafka, createLogger('model-events-test'));
let database: Database;
let versions: ModelVersions;
let deployments: ModelDeployments;
let host: RunningHost | undefined;

async function ourGroups(): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
}

async function servedVersion(): Promise<string | undefined> {
  const response = await fetch(`http://127.0.0.1:${host?.httpPort}/inference/ready`);
  const body = (await response.json()) as { model?: { version: string } };
  return body.model?.version;
}

async function eventually(version: string, timeoutMs = 60_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while ((await servedVersion()) !== version && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  return servedVersion();
}

/** Registers a copy of the tiny model under `name` and makes it the registry's serving version. */
async function promoteInRegistry(name: string, version: string, first = false): Promise<string> {
  const modelDir = modelCopy(version, name);
  await versions.register({ name, version, modelDir, status: 'candidate' });
  await deployments.deploy(name, version, first ? 'bootstrap' : 'promotion', 'model-events test');
  return modelDir;
}

async function publishPromotion(name: string, version: string, modelDir: string): Promise<void> {
  const payload: ModelEventPayload = {
    kind: 'model.promoted',
    name,
    version,
    modelDir,
    action: 'promotion',
    occurredAt: new Date().toISOString(),
  };
  const event = createTopicEvent(Topics.modelEvents, payload, {
    sourceMessageId: randomUUID(),
    producer: 'model-events-test',
  });
  await bus.publishEvent(Topics.modelEvents, name, event);
}

beforeAll(async () => {
  await admin.connect();
  database = openDatabase(config.database.url);
  await migrate(database);
  versions = new ModelVersions(database);
  deployments = new ModelDeployments(database);
  await bus.createTopics([Topics.modelEvents]);
}, 60_000);

afterAll(async () => {
  await host?.close();
  await bus.disconnect();
  await admin.disconnect();
  await database.end();
  rmSync(modelCopiesRoot, { recursive: true, force: true });
});

describe('inference app on the radflow host, real broker and registry: model.promoted hot reload', () => {
  it('starts on the registry current version, not on old promotion events; follows new promotions of its model only', async () => {
    // Before the instance exists: an old promotion event on the topic, then the registry moves on to 0.1.1.
    await publishPromotion(modelName, '0.0.9-stale', modelCopy('0.0.9-stale', modelName));
    await promoteInRegistry(modelName, '0.1.1', true);

    host = await startHost([inferenceApp], config, { httpPort: 0 });
    expect(await eventually('0.1.1', 30_000)).toBe('0.1.1');
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // a replayed stale event would land by now
    expect(await servedVersion()).toBe('0.1.1');

    // Another model's promotion (same topic, same registry): ignored.
    const otherName = `${modelName}-other`;
    await publishPromotion(otherName, '7.0.0', await promoteInRegistry(otherName, '7.0.0', true));
    // A promotion of our name that our registry never made (another installation sharing the topic): ignored.
    await publishPromotion(modelName, '9.9.9-elsewhere', modelCopy('9.9.9-elsewhere', modelName));
    // Ours: served.
    await publishPromotion(modelName, '0.1.2', await promoteInRegistry(modelName, '0.1.2'));
    expect(await eventually('0.1.2')).toBe('0.1.2');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await servedVersion()).toBe('0.1.2');

    // One group while the instance runs (every instance reads every promotion) ...
    expect(await ourGroups()).toHaveLength(1);
    await host?.close();
    host = undefined;
    // ... and none left behind after it stops.
    expect(await ourGroups()).toEqual([]);
  }, 120_000);
});
