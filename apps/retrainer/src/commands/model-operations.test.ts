import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger, loadConfig, repoRoot } from '@radflow/config';
import { radiologistModelName } from '@radflow/reports';
import { ModelRouting } from '@radflow/store';
import type { ModelEvent } from '../model-events.ts';
import { retrainerSettings } from '../retrainer-settings.ts';
import { retrainingParts } from '../retraining-parts.ts';
import { canaryParts, type CanaryParts } from '../shadow/canary-parts.ts';
import { modelStatus } from './model-status.ts';
import { promoteVersion, promotionReadiness, rollbackModel } from './model-operations.ts';
import { registryAndBus } from '../registry-and-bus.testing.ts';

// `radflow model promote|rollback` on the real PostgreSQL and broker: events are published (and validated against
// rad.model.events.v1 on the way out) as well as recorded here.
const config = loadConfig({});
const logger = createLogger('test', 'silent');
const { database, bus } = registryAndBus(config, logger);

async function registry(): Promise<{ parts: CanaryParts; name: string; events: ModelEvent[] }> {
  const name = `ops-test-${randomUUID().slice(0, 8)}`;
  const settings = {
    ...retrainerSettings(config),
    modelName: name,
    baseModelDir: `${repoRoot}models/tiny-random`,
  };
  const parts = canaryParts(retrainingParts(database(), bus(), logger, settings), database());
  const events: ModelEvent[] = [];
  const publish = parts.events.publish.bind(parts.events);
  parts.events.publish = async (event) => {
    await publish(event);
    events.push(event);
  };
  await parts.versions.register({ name, version: '1.0.0', modelDir: '/models/a', status: 'registered' });
  await parts.deployments.deploy(name, '1.0.0', 'bootstrap', 'test');
  return { parts, name, events };
}

async function passed(parts: CanaryParts, name: string, version: string, stages: ('gate' | 'shadow')[]) {
  await parts.versions.register({ name, version, modelDir: `/models/${version}`, status: 'candidate' });
  for (const stage of stages)
    await parts.decisions.record({
      name,
      candidateVersion: version,
      currentVersion: '1.0.0',
      outcome: 'promote',
      reasons: [`${stage} passed`],
      comparisons: [],
      policy: stage === 'gate' ? {} : { stage },
    });
}

describe('promotionReadiness', () => {
  it('needs a passed gate, and a passed shadow when shadow is on', () => {
    const gate = { candidateVersion: '1.0.1', outcome: 'promote' as const, policy: {} };
    const shadow = { ...gate, policy: { stage: 'shadow' } };
    expect(promotionReadiness([gate, shadow], '1.0.1', true)).toEqual([]);
    expect(promotionReadiness([gate], '1.0.1', true)).toEqual(['no shadow period has passed it']);
    expect(promotionReadiness([gate], '1.0.1', false)).toEqual([]);
    expect(promotionReadiness([{ ...gate, outcome: 'reject' }], '1.0.1', false)).toEqual([
      'the fixed-set gate has not passed it',
    ]);
    expect(promotionReadiness([gate, shadow], '1.0.2', true)).toHaveLength(2);
  });
});

describe('radflow model promote|rollback on PostgreSQL and the broker', () => {
  it('promotes only a version the gate and shadow passed, unless forced with a reason, recording each decision', async () => {
    const { parts, name, events } = await registry();
    await passed(parts, name, '1.0.1', ['gate']);
    await expect(promoteVersion(parts, name, { version: '1.0.1', operator: 'ops' })).rejects.toMatchObject({
      code: 'NOT_PROMOTABLE',
      message: `${name} 1.0.1 may not serve: no shadow period has passed it (--force with a --reason overrides)`,
    });
    await expect(
      promoteVersion(parts, name, { version: '1.0.1', operator: 'ops', force: true }),
    ).rejects.toMatchObject({ code: 'NOT_PROMOTABLE' });
    await expect(promoteVersion(parts, name, { version: '7.7.7', operator: 'ops' })).rejects.toMatchObject({
      code: 'UNKNOWN_MODEL_VERSION',
    });
    await expect(promoteVersion(parts, name, { version: '1.0.0', operator: 'ops' })).rejects.toMatchObject({
      code: 'ALREADY_SERVING',
    });
    expect(events).toEqual([]);

    const forced = await promoteVersion(parts, name, {
      version: '1.0.1',
      operator: 'ops',
      force: true,
      reason: 'urgent fix',
    });
    expect(forced).toMatchObject({
      action: 'promotion',
      previousVersion: '1.0.0',
      forcedPast: ['no shadow period has passed it'],
    });
    expect((await parts.deployments.current(name))?.version).toBe('1.0.1');
    expect((await parts.decisions.list(name)).at(-1)).toMatchObject({
      candidateVersion: '1.0.1',
      outcome: 'promote',
      reasons: ['forced by ops: urgent fix'],
      policy: { stage: 'operator', by: 'ops', forcedPast: ['no shadow period has passed it'] },
    });
    expect(events.map((e) => [e.kind, e.version, e.action])).toEqual([
      ['model.promoted', '1.0.1', 'promotion'],
    ]);

    // Rollback pops the serving stack and announces the version to reload.
    const back = await rollbackModel(parts, name, { operator: 'ops', reason: 'drafts too long' });
    expect(back).toMatchObject({ rolledBack: { from: '1.0.1', to: '1.0.0' } });
    expect(back.canaryEnded).toBeUndefined();
    expect(events.at(-1)).toMatchObject({
      kind: 'model.promoted',
      version: '1.0.0',
      action: 'rollback',
      previousVersion: '1.0.1',
    });
    expect((await parts.deployments.history(name)).at(-1)).toMatchObject({
      action: 'rollback',
      reason: 'drafts too long',
    });
    await expect(rollbackModel(parts, name, { operator: 'ops' })).rejects.toMatchObject({
      code: 'NOTHING_TO_ROLL_BACK',
    });
  });

  it("retires a radiologist's first model on rollback, so their reports go back to the shared model", async () => {
    const { parts, name: shared, events } = await registry();
    const radiologist = radiologistModelName(shared, '00112233aabbccdd');
    await parts.versions.register({
      name: radiologist,
      version: '1.0.0-r1',
      modelDir: '/models/r1',
      status: 'candidate',
    });
    await parts.deployments.deploy(radiologist, '1.0.0-r1', 'promotion', 'radiologist gate');
    expect((await new ModelRouting(database()).table(shared)).radiologists).toEqual({
      '00112233aabbccdd': '1.0.0-r1',
    });

    const back = await rollbackModel(parts, radiologist, { operator: 'ops', reason: 'too terse' });
    expect(back).toEqual({
      name: radiologist,
      retired: { version: '1.0.0-r1', deploymentId: expect.any(Number), nowServedBy: shared },
    });
    expect(await parts.deployments.current(radiologist)).toBeUndefined();
    expect((await new ModelRouting(database()).table(shared)).radiologists).toEqual({});
    expect((await parts.deployments.history(radiologist)).at(-1)).toMatchObject({
      version: '1.0.0-r1',
      action: 'retirement',
      reason: 'too terse',
    });
    // Nothing to reload: no model.promoted names a version that is no longer anyone's.
    expect(events).toEqual([]);
    // An operator can bring it back: what it replaces for that radiologist is the shared model.
    await expect(
      promoteVersion(parts, radiologist, { version: '1.0.0-r1', operator: 'ops' }),
    ).rejects.toMatchObject({ code: 'NOT_PROMOTABLE' });
    const again = await promoteVersion(parts, radiologist, {
      version: '1.0.0-r1',
      operator: 'ops',
      force: true,
      reason: 'reviewed with the radiologist',
    });
    expect(again).toMatchObject({ action: 'promotion', previousVersion: '1.0.0' });
    expect((await new ModelRouting(database()).table(shared)).radiologists).toEqual({
      '00112233aabbccdd': '1.0.0-r1',
    });
    // The shared model's first version is not retired by a rollback: it has nothing to fall back to.
    await expect(rollbackModel(parts, shared, { operator: 'ops' })).rejects.toMatchObject({
      code: 'NOTHING_TO_ROLL_BACK',
    });
  });

  it("runs a radiologist's first model as an operator's canary beside the shared model, and rolls it back", async () => {
    const { parts, name: shared, events } = await registry();
    const radiologist = radiologistModelName(shared, '00112233aabbccdd');
    await passed(parts, radiologist, '1.0.0-r1', ['gate', 'shadow']);
    const started = await promoteVersion(parts, radiologist, {
      version: '1.0.0-r1',
      canaryShare: 0.3,
      operator: 'ops',
      reason: 'try on a third of hers',
    });
    expect(started).toMatchObject({ action: 'canary', share: 0.3, previousVersion: '1.0.0' });
    const table = await new ModelRouting(database()).table(shared);
    expect(table.radiologists).toEqual({});
    expect(table.radiologistCanaries).toEqual({ '00112233aabbccdd': { version: '1.0.0-r1', share: 0.3 } });
    expect((await modelStatus(parts, radiologist)).canary).toMatchObject({
      version: '1.0.0-r1',
      servingVersion: '1.0.0',
    });

    const back = await rollbackModel(parts, radiologist, { operator: 'ops', reason: 'too terse' });
    expect(back).toEqual({ name: radiologist, canaryEnded: { version: '1.0.0-r1', share: 0.3 } });
    expect(await parts.canaries.current(radiologist)).toBeUndefined();
    expect(await parts.deployments.current(radiologist)).toBeUndefined();
    expect(events.map((e) => [e.kind, e.name])).toEqual([
      ['model.canary_started', radiologist],
      ['model.canary_ended', radiologist],
    ]);
  });

  it('starts a canary, shows it in status, refuses a second, and ends it on rollback with the decision recorded', async () => {
    const { parts, name, events } = await registry();
    await passed(parts, name, '1.0.1', ['gate', 'shadow']);
    await passed(parts, name, '1.0.2', ['gate', 'shadow']);
    const started = await promoteVersion(parts, name, {
      version: '1.0.1',
      canaryShare: 0.2,
      operator: 'ops',
      reason: 'try on a fifth',
    });
    expect(started).toMatchObject({ action: 'canary', share: 0.2, previousVersion: '1.0.0' });
    expect(events.at(-1)).toMatchObject({
      kind: 'model.canary_started',
      version: '1.0.1',
      modelDir: '/models/1.0.1',
      previousVersion: '1.0.0',
      canary: { share: 0.2, startedBy: 'ops' },
    });
    await expect(
      promoteVersion(parts, name, { version: '1.0.2', canaryShare: 0.1, operator: 'ops' }),
    ).rejects.toMatchObject({ code: 'CANARY_RUNNING' });
    await expect(promoteVersion(parts, name, { version: '1.0.2', operator: 'ops' })).rejects.toMatchObject({
      code: 'CANARY_RUNNING',
    });
    const status = await modelStatus(parts, name);
    expect(status.serving?.version).toBe('1.0.0');
    expect(status.canary).toMatchObject({
      version: '1.0.1',
      servingVersion: '1.0.0',
      share: 0.2,
      startedBy: 'ops',
      verdict: { verdict: 'continue', reports: { canary: 0, serving: 0 } },
    });

    const back = await rollbackModel(parts, name, { operator: 'ops', reason: 'not now' });
    expect(back).toEqual({ name, canaryEnded: { version: '1.0.1', share: 0.2 } });
    expect((await parts.deployments.current(name))?.version).toBe('1.0.0');
    expect(await parts.canaries.current(name)).toBeUndefined();
    // An operator's rollback is no verdict on the version: it may run again.
    expect(await parts.versions.get(name, '1.0.1')).toMatchObject({ status: 'candidate' });
    expect(events.at(-1)).toMatchObject({
      kind: 'model.canary_ended',
      version: '1.0.1',
      previousVersion: '1.0.0',
      canary: { share: 0.2, startedBy: 'ops', decidedBy: 'ops' },
      decision: { outcome: 'reject' },
    });
    const after = await modelStatus(parts, name);
    expect(after.canary).toBeNull();
    expect(after.decisions[0]).toMatchObject({
      candidateVersion: '1.0.1',
      stage: 'canary',
      outcome: 'reject',
      reason: 'rolled back by ops: not now',
    });
  });

  it("promotes the running canary's version by ending the canary, then serves it", async () => {
    const { parts, name, events } = await registry();
    await passed(parts, name, '1.0.1', ['gate', 'shadow']);
    await promoteVersion(parts, name, { version: '1.0.1', canaryShare: 0.5, operator: 'ops' });
    const promoted = await promoteVersion(parts, name, {
      version: '1.0.1',
      operator: 'lead',
      reason: 'looks good',
    });
    expect(promoted).toMatchObject({ action: 'promotion', previousVersion: '1.0.0' });
    expect(await parts.canaries.current(name)).toBeUndefined();
    expect((await parts.deployments.current(name))?.version).toBe('1.0.1');
    expect(events.map((e) => e.kind)).toEqual([
      'model.canary_started',
      'model.canary_ended',
      'model.promoted',
    ]);
    expect((await parts.decisions.list(name)).at(-1)).toMatchObject({
      candidateVersion: '1.0.1',
      outcome: 'promote',
      policy: { stage: 'canary', decidedBy: 'lead', share: 0.5 },
    });
    expect((await parts.decisions.list(name)).at(-1)!.reasons[0]).toBe('promoted by lead: looks good');
    // Rollback with --to ends no canary (none runs) and goes back to the version named.
    expect(await rollbackModel(parts, name, { operator: 'ops', toVersion: '1.0.0' })).toMatchObject({
      rolledBack: { from: '1.0.1', to: '1.0.0' },
    });
  });
});
