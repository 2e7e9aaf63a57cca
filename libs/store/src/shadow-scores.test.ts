import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { registryTestDatabase, testModelName } from './model-registry-test-database.ts';
import { ModelVersions } from './model-versions.ts';
import { ShadowScores } from './shadow-scores.ts';
import { TrainingRuns } from './training-runs.ts';

const database = registryTestDatabase();

async function registered(name: string): Promise<ModelVersions> {
  const versions = new ModelVersions(database());
  await versions.register({ name, version: '1.0.0', modelDir: '/models/a', status: 'promoted' });
  await versions.register({ name, version: '1.0.1', modelDir: '/models/b', status: 'shadow' });
  await versions.register({ name, version: '0.9.0', modelDir: '/models/c', status: 'promoted' });
  return versions;
}

describe('ShadowScores on PostgreSQL', () => {
  it('keeps each report once per pair of models, in arrival order', async () => {
    const name = testModelName();
    await registered(name);
    const scores = new ShadowScores(database());
    const score = (reportKey: string, candidate: number) => ({
      name,
      candidateVersion: '1.0.1',
      servingVersion: '1.0.0',
      reportKey,
      candidate: { rougeL: candidate, bleu1: candidate, f1: candidate },
      serving: { rougeL: 0.5, bleu1: 0.4, f1: 0.45 },
    });
    expect(await scores.record(score('key-a', 0.3))).toBe(true);
    expect(await scores.record(score('key-b', 0.7))).toBe(true);
    // A redelivered report: stored once, the first scores kept.
    expect(await scores.record(score('key-a', 0.9))).toBe(false);
    // The same report against another serving version (after a rollback) is a new comparison.
    expect(await scores.record({ ...score('key-a', 0.3), servingVersion: '0.9.0' })).toBe(true);

    const stored = await scores.list(name, '1.0.1', '1.0.0');
    expect(stored.map((s) => [s.reportKey, s.candidate.rougeL])).toEqual([
      ['key-a', 0.3],
      ['key-b', 0.7],
    ]);
    expect(stored[0]).toMatchObject({ serving: { rougeL: 0.5, bleu1: 0.4, f1: 0.45 } });
    expect(Number.isNaN(Date.parse(stored[0]!.scoredAt))).toBe(false);
    expect(await scores.list(name, '1.0.1', '0.9.0')).toHaveLength(1);
    expect(await scores.list(name, '1.0.0', '1.0.1')).toEqual([]);
  });

  it('refuses scores of a version that is not registered', async () => {
    const name = testModelName();
    await registered(name);
    await expect(
      new ShadowScores(database()).record({
        name,
        candidateVersion: '7.7.7',
        servingVersion: '1.0.0',
        reportKey: 'key-a',
        candidate: { rougeL: 0, bleu1: 0, f1: 0 },
        serving: { rougeL: 0, bleu1: 0, f1: 0 },
      }),
    ).rejects.toMatchObject({ code: '23503' });
  });
});

describe('the shadow status in the registry', () => {
  it('settles a candidate in shadow once: the second transition out of shadow finds it gone', async () => {
    const name = testModelName();
    const versions = await registered(name);
    expect(await versions.transition(name, '1.0.1', 'shadow', 'rejected', [{ metric: 'rougeL' }])).toBe(true);
    expect(await versions.transition(name, '1.0.1', 'shadow', 'candidate')).toBe(false);
    expect(await versions.get(name, '1.0.1')).toMatchObject({
      status: 'rejected',
      metrics: [{ metric: 'rougeL' }],
    });
  });

  it('keeps a run whose candidate is in shadow, and counts its feedback as used', async () => {
    const name = testModelName();
    const runs = new TrainingRuns(database());
    const runId = randomUUID();
    await runs.start({ runId, name, trigger: 'test', baseVersion: '1.0.0', feedbackWatermark: 42 });
    await runs.update(runId, { status: 'shadow', candidateVersion: '1.0.1' });
    expect(await runs.get(runId)).toMatchObject({ status: 'shadow', candidateVersion: '1.0.1' });
    expect(await runs.decidedWatermark(name)).toBe(42);
    await runs.update(runId, { status: 'rejected' });
    expect((await runs.get(runId))?.status).toBe('rejected');
  });
});
