import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GateDecisions } from './gate-decisions.ts';
import { registryTestDatabase, testModelName } from './model-registry-test-database.ts';

const database = registryTestDatabase();

describe('GateDecisions on PostgreSQL', () => {
  it('keeps each decision with its reasons, comparisons, policy and run, in order', async () => {
    const decisions = new GateDecisions(database());
    const name = testModelName();
    const runId = randomUUID();
    const decision = {
      name,
      candidateVersion: '1.0.1',
      currentVersion: '1.0.0',
      outcome: 'reject' as const,
      reasons: ['rougeL worse'],
      comparisons: [{ metric: 'rougeL', worse: true }],
      policy: { tolerance: 0 },
      runId,
    };
    const first = await decisions.record(decision);
    const second = await decisions.record({
      ...decision,
      candidateVersion: '1.0.2',
      outcome: 'promote',
      runId: null,
    });
    expect(second).toBeGreaterThan(first);
    const stored = await decisions.list(name);
    expect(stored).toMatchObject([
      { ...decision, id: first },
      { candidateVersion: '1.0.2', outcome: 'promote', runId: null, id: second },
    ]);
    expect(Number.isNaN(Date.parse(stored[0]!.decidedAt))).toBe(false);
    expect(await decisions.list(testModelName())).toEqual([]);
  });
});
