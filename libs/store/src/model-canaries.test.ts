import { randomUUID } from 'node:crypto';
import { radiologistModelName } from '@radflow/reports';
import { describe, expect, it } from 'vitest';
import { CanaryScores } from './canary-scores.ts';
import { GateDecisions } from './gate-decisions.ts';
import { ModelCanaries } from './model-canaries.ts';
import { ModelDeployments } from './model-deployments.ts';
import { registryTestDatabase, testModelName } from './model-registry-test-database.ts';
import { ModelVersions } from './model-versions.ts';

const database = registryTestDatabase();

async function servingRegistry(): Promise<string> {
  const name = testModelName();
  const versions = new ModelVersions(database());
  await versions.register({ name, version: '1.0.0', modelDir: '/models/a', status: 'registered' });
  await versions.register({ name, version: '1.0.1', modelDir: '/models/b', status: 'candidate' });
  await versions.register({ name, version: '1.0.2', modelDir: '/models/c', status: 'rejected' });
  await new ModelDeployments(database()).deploy(name, '1.0.0', 'bootstrap', 'first');
  return name;
}

describe('ModelCanaries on PostgreSQL', () => {
  it('starts one canary per model for a registered version that does not serve, and refuses the rest', async () => {
    const canaries = new ModelCanaries(database());
    const name = await servingRegistry();
    const start = { name, version: '1.0.1', share: 0.1, startedBy: 'alice', reason: 'try it' };
    await expect(canaries.start({ ...start, share: 1 })).rejects.toMatchObject({ code: 'INVALID_SHARE' });
    await expect(canaries.start({ ...start, share: 0 })).rejects.toMatchObject({ code: 'INVALID_SHARE' });
    await expect(canaries.start({ ...start, version: '9.9.9' })).rejects.toMatchObject({
      code: 'UNKNOWN_MODEL_VERSION',
    });
    await expect(canaries.start({ ...start, version: '1.0.2' })).rejects.toMatchObject({
      code: 'NOT_DEPLOYABLE',
    });
    await expect(canaries.start({ ...start, version: '1.0.0' })).rejects.toMatchObject({
      code: 'ALREADY_SERVING',
    });
    const unserved = testModelName();
    await new ModelVersions(database()).register({
      name: unserved,
      version: '1.0.0',
      modelDir: '/m',
      status: 'candidate',
    });
    await expect(canaries.start({ ...start, name: unserved, version: '1.0.0' })).rejects.toMatchObject({
      code: 'NO_CURRENT_MODEL',
    });

    expect(await canaries.current(name)).toBeUndefined();
    const started = await canaries.start(start);
    expect(started).toMatchObject({
      name,
      version: '1.0.1',
      share: 0.1,
      startedBy: 'alice',
      reason: 'try it',
    });
    expect(await canaries.current(name)).toEqual(started);
    await expect(canaries.start(start)).rejects.toMatchObject({ code: 'CANARY_RUNNING' });
  });

  it("starts a radiologist's first model's canary beside the shared model, and only when the shared model serves", async () => {
    const canaries = new ModelCanaries(database());
    const versions = new ModelVersions(database());
    const start = { version: '1.0.0', share: 0.3, startedBy: 'shadow', reason: 'shadow passed' };
    const shared = await servingRegistry();
    const first = radiologistModelName(shared, 'a1b2c3d4e5f60718');
    await versions.register({ name: first, version: '1.0.0', modelDir: '/r', status: 'candidate' });
    expect(await new ModelDeployments(database()).current(first)).toBeUndefined();
    expect(await canaries.start({ ...start, name: first })).toMatchObject({ name: first, version: '1.0.0' });

    const unservedShared = testModelName();
    const orphan = radiologistModelName(unservedShared, 'a1b2c3d4e5f60718');
    await versions.register({ name: orphan, version: '1.0.0', modelDir: '/r', status: 'candidate' });
    await expect(canaries.start({ ...start, name: orphan })).rejects.toMatchObject({
      code: 'NO_CURRENT_MODEL',
    });
  });

  it('ends a canary once, recording the decision with its share and who started and ended it', async () => {
    const canaries = new ModelCanaries(database());
    const name = await servingRegistry();
    const started = await canaries.start({
      name,
      version: '1.0.1',
      share: 0.25,
      startedBy: 'shadow',
      reason: 'shadow passed',
    });
    const ending = {
      outcome: 'reject' as const,
      reasons: ['canary rougeL worse'],
      comparisons: [{ metric: 'rougeL', worse: true }],
      decidedBy: 'canary',
      policy: { minReports: 50 },
    };
    const ended = await canaries.end(name, '1.0.0', ending);
    expect(ended?.canary).toEqual(started);
    expect(await canaries.end(name, '1.0.0', ending)).toBeUndefined();
    expect(await canaries.current(name)).toBeUndefined();
    expect((await new GateDecisions(database()).list(name)).at(-1)).toMatchObject({
      id: ended!.decisionId,
      candidateVersion: '1.0.1',
      currentVersion: '1.0.0',
      outcome: 'reject',
      reasons: ['canary rougeL worse'],
      comparisons: [{ metric: 'rougeL', worse: true }],
      policy: {
        stage: 'canary',
        share: 0.25,
        startedBy: 'shadow',
        startReason: 'shadow passed',
        startedAt: started.startedAt,
        decidedBy: 'canary',
        minReports: 50,
      },
    });
    // Ended, the model may have another.
    expect(
      await canaries.start({ name, version: '1.0.1', share: 0.5, startedBy: 'bob', reason: '' }),
    ).toMatchObject({
      share: 0.5,
    });
  });
});

describe('CanaryScores on PostgreSQL', () => {
  it('keeps one row per report with its arm, listed from the canary start on', async () => {
    const scores = new CanaryScores(database());
    const name = await servingRegistry();
    const before = new Date(Date.now() - 60_000);
    const row = {
      name,
      canaryVersion: '1.0.1',
      servingVersion: '1.0.0',
      reportKey: randomUUID().slice(0, 20),
      arm: 'canary' as const,
      scores: { rougeL: 0.5, bleu1: 0.4, f1: 0.3 },
    };
    expect(await scores.record(row)).toBe(true);
    expect(await scores.record({ ...row, arm: 'serving' })).toBe(false);
    expect(await scores.record({ ...row, reportKey: 'other', arm: 'serving' })).toBe(true);
    const listed = await scores.list(name, '1.0.1', '1.0.0', before);
    expect(listed.map((s) => [s.reportKey, s.arm])).toEqual(
      expect.arrayContaining([
        [row.reportKey, 'canary'],
        ['other', 'serving'],
      ]),
    );
    expect(listed[0]!.scores).toEqual(expect.objectContaining({ rougeL: expect.any(Number) }));
    expect(await scores.list(name, '1.0.1', '1.0.0', new Date(Date.now() + 60_000))).toEqual([]);
  });
});
