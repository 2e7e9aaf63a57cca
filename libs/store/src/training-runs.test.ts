import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { registryTestDatabase, testModelName } from './model-registry-test-database.ts';
import { TrainingRuns } from './training-runs.ts';

const database = registryTestDatabase();

describe('TrainingRuns on PostgreSQL', () => {
  it('keeps a run with its watermark, finishes it, and fails runs a dead process left running', async () => {
    const runs = new TrainingRuns(database());
    const name = testModelName();
    const runId = randomUUID();
    await runs.start({ runId, name, trigger: 'threshold', baseVersion: '1.0.0', feedbackWatermark: 42 });
    expect(await runs.decidedWatermark(name)).toBe(42);
    await runs.update(runId, {
      candidateVersion: '1.0.1',
      dataSnapshot: 'cd'.repeat(32),
      examples: { train: 40 },
    });
    expect((await runs.get(runId))?.finishedAt).toBeNull();
    await runs.update(runId, { status: 'rejected' });
    expect(await runs.get(runId)).toMatchObject({
      status: 'rejected',
      candidateVersion: '1.0.1',
      examples: { train: 40 },
      feedbackWatermark: 42,
    });
    expect((await runs.get(runId))?.finishedAt).not.toBeNull();

    const failed = randomUUID();
    await runs.start({ runId: failed, name, trigger: 'manual', baseVersion: '1.0.0', feedbackWatermark: 99 });
    expect(await runs.failAbandoned(name, 'process restarted')).toBe(1);
    expect(await runs.get(failed)).toMatchObject({ status: 'failed', error: { code: 'RUN_ABANDONED' } });
    expect(await runs.decidedWatermark(name)).toBe(42);
    expect((await runs.latest(name))?.runId).toBe(failed);
    expect(await runs.get(randomUUID())).toBeUndefined();
  });
});
