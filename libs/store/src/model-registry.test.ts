import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import {
  migrate,
  ModelRegistry,
  ModelRegistryError,
  openDatabase,
  servingStack,
  type Database,
} from './index.ts';

// Integration tests on the real PostgreSQL that infra/postgres.sh starts.
let database: Database;

beforeAll(async () => {
  database = openDatabase(loadConfig().database.url);
  await migrate(database);
});
afterAll(async () => database.end());

describe('servingStack', () => {
  it('pushes promotions, pops plain rollbacks, pushes rollbacks to an older target', () => {
    const d = (version: string, action: 'bootstrap' | 'promotion' | 'rollback') => ({
      version,
      action,
      previousVersion: null,
    });
    expect(servingStack([d('a', 'bootstrap'), d('b', 'promotion'), d('c', 'promotion')])).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(servingStack([d('a', 'bootstrap'), d('b', 'promotion'), d('a', 'rollback')])).toEqual(['a']);
    expect(
      servingStack([d('a', 'bootstrap'), d('b', 'promotion'), d('c', 'promotion'), d('a', 'rollback')]),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(servingStack([])).toEqual([]);
  });
});

describe('ModelRegistry on PostgreSQL', () => {
  it('records versions with lineage, promotes, rolls back step by step and refuses what cannot be done', async () => {
    const registry = new ModelRegistry(database);
    const name = `test-model-${randomUUID().slice(0, 8)}`;
    expect(await registry.current(name)).toBeUndefined();
    await expect(registry.rollback(name, 'test')).rejects.toMatchObject({ code: 'NO_CURRENT_MODEL' });

    await registry.register({ name, version: '1.0.0', modelDir: '/models/a', status: 'registered' });
    await registry.deploy(name, '1.0.0', 'bootstrap', 'first');
    await expect(registry.rollback(name, 'test')).rejects.toMatchObject({ code: 'NOTHING_TO_ROLL_BACK' });

    const snapshot = 'ab'.repeat(32);
    await registry.register({
      name,
      version: '1.0.1',
      modelDir: '/models/b',
      status: 'candidate',
      baseName: name,
      baseVersion: '1.0.0',
      dataSnapshot: snapshot,
      training: { steps: 5 },
    });
    await expect(
      registry.register({ name, version: '1.0.1', modelDir: '/x', status: 'candidate' }),
    ).rejects.toBeInstanceOf(ModelRegistryError);
    await registry.setStatus(name, '1.0.1', 'candidate', [{ metric: 'rougeL' }]);
    const promoted = await registry.deploy(name, '1.0.1', 'promotion', 'gate');
    expect(promoted).toMatchObject({ version: '1.0.1', action: 'promotion', previousVersion: '1.0.0' });
    expect(await registry.current(name)).toMatchObject({
      version: '1.0.1',
      status: 'promoted',
      baseVersion: '1.0.0',
      dataSnapshot: snapshot,
      training: { steps: 5 },
      metrics: [{ metric: 'rougeL' }],
    });

    await registry.register({ name, version: '1.0.2', modelDir: '/models/c', status: 'candidate' });
    await registry.setStatus(name, '1.0.2', 'rejected');
    await expect(registry.deploy(name, '1.0.2', 'promotion', 'x')).rejects.toMatchObject({
      code: 'NOT_DEPLOYABLE',
    });
    await expect(registry.rollback(name, 'x', '1.0.2')).rejects.toMatchObject({ code: 'NOT_DEPLOYABLE' });

    const back = await registry.rollback(name, 'operator');
    expect(back.from.version).toBe('1.0.1');
    expect(back.to).toMatchObject({ version: '1.0.0', modelDir: '/models/a' });
    expect((await registry.current(name))?.version).toBe('1.0.0');
    await expect(registry.rollback(name, 'again')).rejects.toMatchObject({ code: 'NOTHING_TO_ROLL_BACK' });
    const forward = await registry.rollback(name, 'undo', '1.0.1');
    expect(forward.to.version).toBe('1.0.1');
    expect((await registry.deployments(name)).map((d) => `${d.action}:${d.version}`)).toEqual([
      'bootstrap:1.0.0',
      'promotion:1.0.1',
      'rollback:1.0.0',
      'rollback:1.0.1',
    ]);
  });

  it('keeps gate decisions with their numbers, and training runs with their watermark', async () => {
    const registry = new ModelRegistry(database);
    const name = `test-model-${randomUUID().slice(0, 8)}`;
    const runId = randomUUID();
    await registry.startRun({
      runId,
      name,
      trigger: 'threshold',
      baseVersion: '1.0.0',
      feedbackWatermark: 42,
    });
    expect(await registry.decidedWatermark(name)).toBe(42);
    await registry.updateRun(runId, {
      candidateVersion: '1.0.1',
      dataSnapshot: 'cd'.repeat(32),
      examples: { train: 40 },
    });
    await registry.recordDecision({
      name,
      candidateVersion: '1.0.1',
      currentVersion: '1.0.0',
      outcome: 'reject',
      reasons: ['rougeL worse'],
      comparisons: [{ metric: 'rougeL', worse: true }],
      policy: { tolerance: 0 },
      runId,
    });
    await registry.updateRun(runId, { status: 'rejected' });
    expect(await registry.run(runId)).toMatchObject({
      status: 'rejected',
      candidateVersion: '1.0.1',
      examples: { train: 40 },
      feedbackWatermark: 42,
    });
    expect((await registry.run(runId))?.finishedAt).not.toBeNull();
    expect(await registry.decisions(name)).toMatchObject([
      {
        outcome: 'reject',
        reasons: ['rougeL worse'],
        comparisons: [{ metric: 'rougeL', worse: true }],
        runId,
      },
    ]);

    const failed = randomUUID();
    await registry.startRun({
      runId: failed,
      name,
      trigger: 'manual',
      baseVersion: '1.0.0',
      feedbackWatermark: 99,
    });
    expect(await registry.failAbandonedRuns(name, 'process restarted')).toBe(1);
    expect(await registry.run(failed)).toMatchObject({ status: 'failed', error: { code: 'RUN_ABANDONED' } });
    expect(await registry.decidedWatermark(name)).toBe(42);
    expect((await registry.lastRun(name))?.runId).toBe(failed);
  });
});
