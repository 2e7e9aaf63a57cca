import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger, loadConfig, repoRoot } from '@radflow/config';
import { shadowVerdict, type GateDecision, type ShadowReportScores } from '@radflow/feedback';
import { radiologistModelName } from '@radflow/reports';
import { retrainerSettings } from '../retrainer-settings.ts';
import { retrainingParts } from '../retraining-parts.ts';
import { RetrainingPipeline } from '../retraining-pipeline.ts';
import type { RetrainingParts } from '../retraining-run.ts';
import { sharedVersionForRadiologist } from '../radiologist-model.ts';
import { canaryParts } from './canary-parts.ts';
import { candidateInShadow } from './candidate-in-shadow.ts';
import { settleShadow } from './shadow-settlement.ts';
import { startShadow } from './shadow-start.ts';
import { registryAndBus } from '../registry-and-bus.testing.ts';

// Entering shadow and leaving it, on the real PostgreSQL and broker (model events are published); no model runs.
const config = loadConfig({ RETRAIN_MIN_NEW_EXAMPLES: '1', RETRAIN_MIN_INTERVAL_S: '0' });
const logger = createLogger('test', 'silent');
const { database, bus } = registryAndBus(config, logger);

const gatePassed: GateDecision = { outcome: 'promote', reasons: ['not worse'], comparisons: [] };
const scores = (n: number, candidate: number): ShadowReportScores[] =>
  Array.from({ length: n }, (_, i) => {
    const serving = 0.3 + (i % 7) / 10;
    const c = serving + candidate;
    return {
      serving: { rougeL: serving, bleu1: serving, f1: serving },
      candidate: { rougeL: c, bleu1: c, f1: c },
    };
  });
const started = new Date('2026-01-01T00:00:00Z');
const after = (hours: number) => ({
  startedAt: started,
  now: new Date(started.getTime() + hours * 3_600_000),
});

async function registryWithServing(): Promise<{ parts: RetrainingParts; name: string }> {
  const name = `shadow-test-${randomUUID().slice(0, 8)}`;
  const settings = {
    ...retrainerSettings(config),
    modelName: name,
    baseModelDir: `${repoRoot}models/tiny-random`,
  };
  const parts = retrainingParts(database(), bus(), logger, settings);
  await parts.versions.register({ name, version: '1.0.0', modelDir: '/models/a', status: 'registered' });
  await parts.deployments.deploy(name, '1.0.0', 'bootstrap', 'test');
  return { parts, name };
}

async function candidate(parts: RetrainingParts, name: string, version: string): Promise<string> {
  const runId = randomUUID();
  await parts.runs.start({ runId, name, trigger: 'test', baseVersion: '1.0.0', feedbackWatermark: 0 });
  await parts.versions.register({
    name,
    version,
    modelDir: `/models/${version}`,
    status: 'candidate',
    training: { runId },
  });
  await parts.decisions.record({
    name,
    candidateVersion: version,
    currentVersion: '1.0.0',
    ...gatePassed,
    policy: {},
    runId,
  });
  await parts.runs.update(runId, { status: 'shadow', candidateVersion: version });
  await startShadow(parts, {
    name,
    runId,
    currentVersion: '1.0.0',
    candidate: { version, modelDir: `/models/${version}` },
    decision: gatePassed,
  });
  return runId;
}

describe('shadow settlement on PostgreSQL', () => {
  it('holds a candidate in shadow (no new run meanwhile), then promotes it once on a pass', async () => {
    const { parts, name } = await registryWithServing();
    const runId = await candidate(parts, name, '1.0.1');
    const pipeline = new RetrainingPipeline(database(), bus(), logger, parts.settings);
    expect(await pipeline.policyDecision(false)).toEqual({
      run: false,
      reason: `${name} 1.0.1 is in shadow evaluation`,
    });
    const shadow = (await candidateInShadow(parts, name))!;
    expect(shadow.candidate).toMatchObject({ version: '1.0.1', status: 'shadow' });
    const serving = (await parts.deployments.current(name))!;

    const early = shadowVerdict(scores(150, 0), after(2), parts.settings.shadow);
    expect(await settleShadow(parts, shadow.candidate, serving, early)).toBeUndefined();
    expect((await parts.deployments.current(name))?.version).toBe('1.0.0');

    const pass = shadowVerdict(scores(150, 0), after(25), parts.settings.shadow);
    expect(pass.verdict).toBe('pass');
    expect(await settleShadow(parts, shadow.candidate, serving, pass)).toBe('promoted');
    // A second verdict on the same candidate (another report, another process) finds it settled.
    expect(await settleShadow(parts, shadow.candidate, serving, pass)).toBeUndefined();
    expect((await parts.deployments.history(name)).map((d) => [d.action, d.version, d.reason])).toEqual([
      ['bootstrap', '1.0.0', 'test'],
      ['promotion', '1.0.1', pass.reasons[0]],
    ]);
    expect(await parts.versions.get(name, '1.0.1')).toMatchObject({ status: 'promoted' });
    expect((await parts.decisions.list(name)).at(-1)).toMatchObject({
      candidateVersion: '1.0.1',
      outcome: 'promote',
      reasons: pass.reasons,
      policy: { stage: 'shadow', minReports: 100, periodHours: 24 },
      runId,
    });
    expect(await parts.runs.get(runId)).toMatchObject({ status: 'promoted' });
  });

  it('starts a canary instead of promoting when RETRAIN_CANARY_SHARE is set', async () => {
    const { parts: registry, name } = await registryWithServing();
    const parts = canaryParts(
      {
        ...registry,
        settings: { ...registry.settings, canary: { ...registry.settings.canary, share: 0.1 } },
      },
      database(),
    );
    const runId = await candidate(parts, name, '1.0.1');
    const shadow = (await candidateInShadow(parts, name))!;
    const serving = (await parts.deployments.current(name))!;
    const pass = shadowVerdict(scores(150, 0), after(25), parts.settings.shadow);
    expect(await settleShadow(parts, shadow.candidate, serving, pass)).toBe('canary');
    expect((await parts.deployments.current(name))?.version).toBe('1.0.0');
    expect(await parts.canaries.current(name)).toMatchObject({
      version: '1.0.1',
      share: 0.1,
      startedBy: 'shadow',
      reason: pass.reasons[0],
    });
    expect(await parts.versions.get(name, '1.0.1')).toMatchObject({ status: 'candidate' });
    expect((await parts.decisions.list(name)).at(-1)).toMatchObject({
      outcome: 'promote',
      policy: { stage: 'shadow' },
    });
    // The run is settled when the canary is.
    expect(await parts.runs.get(runId)).toMatchObject({ status: 'shadow' });

    // A second candidate passing shadow while that canary runs waits, passed, for the operator.
    await candidate(parts, name, '1.0.2');
    const second = (await candidateInShadow(parts, name))!;
    expect(await settleShadow(parts, second.candidate, serving, pass)).toBe('held');
    expect(await parts.canaries.current(name)).toMatchObject({ version: '1.0.1' });
    expect((await parts.deployments.current(name))?.version).toBe('1.0.0');
    expect(await parts.versions.get(name, '1.0.2')).toMatchObject({ status: 'candidate' });
  });

  it("starts a radiologist's first model as a canary beside the shared model when RETRAIN_CANARY_SHARE is set", async () => {
    const { parts: registry, name: shared } = await registryWithServing();
    const parts = canaryParts(
      {
        ...registry,
        settings: { ...registry.settings, canary: { ...registry.settings.canary, share: 0.1 } },
      },
      database(),
    );
    const alice = radiologistModelName(shared, '00112233aabbccdd');
    const sharedServing = (await parts.deployments.current(shared))!;
    const serving = await sharedVersionForRadiologist(parts, alice, sharedServing);
    await candidate(parts, alice, '1.0.0-a1');
    const shadow = (await candidateInShadow(parts, alice))!;
    const pass = shadowVerdict(scores(150, 0), after(25), parts.settings.shadow);
    // Nothing of hers serves: the shared model drafts the rest of her reports beside the canary.
    expect(await settleShadow(parts, shadow.candidate, serving, pass)).toBe('canary');
    expect(await parts.canaries.current(alice)).toMatchObject({ version: '1.0.0-a1', share: 0.1 });
    expect(await parts.deployments.current(alice)).toBeUndefined();

    // Without a canary share, a first model is promoted on the pass.
    const bob = radiologistModelName(shared, '8899aabbccddeeff');
    const bobServing = await sharedVersionForRadiologist(registry, bob, sharedServing);
    await candidate(registry, bob, '1.0.0-b1');
    const bobShadow = (await candidateInShadow(registry, bob))!;
    expect(await settleShadow(registry, bobShadow.candidate, bobServing, pass)).toBe('promoted');
    expect((await registry.deployments.current(bob))?.version).toBe('1.0.0-b1');
  });

  it('rejects a candidate shown worse, which can then never be deployed', async () => {
    const { parts, name } = await registryWithServing();
    const runId = await candidate(parts, name, '1.0.1');
    const shadow = (await candidateInShadow(parts, name))!;
    const serving = (await parts.deployments.current(name))!;
    const stop = shadowVerdict(scores(100, -0.05), after(1), parts.settings.shadow);
    expect(await settleShadow(parts, shadow.candidate, serving, stop)).toBe('rejected');
    expect(await parts.versions.get(name, '1.0.1')).toMatchObject({ status: 'rejected' });
    expect((await parts.decisions.list(name)).at(-1)).toMatchObject({
      outcome: 'reject',
      reasons: stop.reasons,
    });
    expect(await parts.runs.get(runId)).toMatchObject({ status: 'rejected' });
    await expect(parts.deployments.deploy(name, '1.0.1', 'promotion', 'x')).rejects.toMatchObject({
      code: 'NOT_DEPLOYABLE',
    });
    expect(await candidateInShadow(parts, name)).toBeUndefined();
  });

  it('lets a newer candidate supersede one still in shadow', async () => {
    const { parts, name } = await registryWithServing();
    const firstRun = await candidate(parts, name, '1.0.1');
    await candidate(parts, name, '1.0.2');
    expect((await candidateInShadow(parts, name))?.candidate.version).toBe('1.0.2');
    expect(await parts.versions.get(name, '1.0.1')).toMatchObject({ status: 'rejected' });
    expect(await parts.runs.get(firstRun)).toMatchObject({ status: 'rejected' });
    expect((await parts.decisions.list(name)).find((d) => d.outcome === 'reject')).toMatchObject({
      candidateVersion: '1.0.1',
      reasons: ['superseded in shadow by 1.0.2 before its shadow period ended'],
    });
  });
});
