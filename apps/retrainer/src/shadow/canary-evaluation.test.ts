import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger, loadConfig, repoRoot } from '@radflow/config';
import type { RadiologyReport, ReportEnrichedPayload } from '@radflow/schemas';
import { radiologistKey, radiologistModelName } from '@radflow/reports';
import type { ModelEvent } from '../model-events.ts';
import { retrainerSettings } from '../retrainer-settings.ts';
import { retrainingParts } from '../retraining-parts.ts';
import { canaryArmOf, CanaryEvaluation, canaryModelOf, firstModelCanaryOf } from './canary-evaluation.ts';
import { canaryParts, type CanaryParts } from './canary-parts.ts';
import { startCanary } from './canary-settlement.ts';
import { registryAndBus } from '../registry-and-bus.testing.ts';

const SIGNED = 'No acute cardiopulmonary abnormality. Heart size is normal.';

function enriched(
  accession: string,
  model: { name: string; version: string; route?: string },
  draft: string | undefined,
  signed = SIGNED,
): ReportEnrichedPayload {
  const report: RadiologyReport = {
    source: { kind: 'hl7v2', messageId: `MSG-${accession}` },
    reportId: accession,
    reportVersion: '1',
    accession,
    patient: { key: 'p'.repeat(32) },
    procedure: { text: 'XR CHEST 2 VIEWS' },
    status: 'final',
    reportedAt: new Date().toISOString(),
    text: `FINDINGS: Lungs are clear. IMPRESSION: ${signed}`,
    sections: { findings: 'Lungs are clear. Heart size is normal.', impression: signed },
    unusedContent: [],
  };
  return {
    report,
    enrichment: {
      status: 'preliminary',
      aiGenerated: true,
      model: model as ReportEnrichedPayload['enrichment']['model'],
      degraded: false,
      ...(draft === undefined ? {} : { draftImpression: draft }),
      abnormalities: [],
      devices: [],
      priority: { level: 'routine', reasons: [] },
      generatedAt: new Date().toISOString(),
    },
  };
}

describe('canaryArmOf', () => {
  const canary = { version: '1.0.1' };
  // null: no draft at all (a rules-only result).
  const arm = (model: { name: string; version: string; route?: string }, draft: string | null = 'x') =>
    canaryArmOf(enriched('A1', model, draft ?? undefined), 'm', canary, { name: 'm', version: '1.0.0' });

  it('puts a draft in the arm its version (and route, when the enricher recorded one) names', () => {
    expect(arm({ name: 'm', version: '1.0.1' })).toEqual({ arm: 'canary' });
    expect(arm({ name: 'm', version: '1.0.1', route: 'canary' })).toEqual({ arm: 'canary' });
    expect(arm({ name: 'm', version: '1.0.0' })).toEqual({ arm: 'serving' });
    expect(arm({ name: 'm', version: '1.0.0', route: 'serving' })).toEqual({ arm: 'serving' });
  });

  it("puts a radiologist's drafts in the arms of their model's canary (its serving version is routed `radiologist`)", () => {
    const own = (version: string, route: string) =>
      canaryArmOf(enriched('A1', { name: 'm~r-abc', version, route }, 'x'), 'm~r-abc', canary, {
        name: 'm~r-abc',
        version: '1.0.0',
      });
    expect(own('1.0.1', 'canary')).toEqual({ arm: 'canary' });
    expect(own('1.0.0', 'radiologist')).toEqual({ arm: 'serving' });
    expect(own('1.0.0', 'canary')).toEqual({ skipped: 'other-version' });
  });

  it("beside a radiologist's first model, puts the shared model's drafts of their reports in the serving arm", () => {
    const first = (model: { name: string; version: string; route?: string }) =>
      canaryArmOf(enriched('A1', model, 'x'), 'm~r-abc', canary, { name: 'm', version: '1.0.0' });
    expect(first({ name: 'm~r-abc', version: '1.0.1', route: 'canary' })).toEqual({ arm: 'canary' });
    expect(first({ name: 'm', version: '1.0.0', route: 'serving' })).toEqual({ arm: 'serving' });
    // The shared model's own canary, another of its versions, or another radiologist's model: neither arm.
    expect(first({ name: 'm', version: '1.0.1', route: 'canary' })).toEqual({ skipped: 'other-version' });
    expect(first({ name: 'm', version: '0.9.0', route: 'serving' })).toEqual({ skipped: 'other-version' });
    expect(first({ name: 'm~r-def', version: '1.0.1', route: 'canary' })).toEqual({ skipped: 'other-model' });
  });

  it("counts neither a radiologist's own model, another version, a mismatched route nor a rules-only result", () => {
    expect(arm({ name: 'm~r-abc', version: '1.0.0', route: 'radiologist' })).toEqual({
      skipped: 'other-model',
    });
    expect(arm({ name: 'm', version: '0.9.0' })).toEqual({ skipped: 'other-version' });
    expect(arm({ name: 'm', version: '1.0.0', route: 'canary' })).toEqual({ skipped: 'other-version' });
    expect(arm({ name: 'm', version: '1.0.1' }, null)).toEqual({ skipped: 'no-model-draft' });
    expect(arm({ name: 'm', version: '1.0.1' }, '  ')).toEqual({ skipped: 'no-model-draft' });
  });
});

// The canary's live evaluation on the real PostgreSQL and broker (model events published); no model runs: the
// drafts are what an enricher would have served.
const config = loadConfig({});
const logger = createLogger('test', 'silent');
const { database, bus } = registryAndBus(config, logger);

async function withCanary(
  canarySettings: Partial<CanaryParts['settings']['canary']>,
): Promise<{ parts: CanaryParts; name: string; events: ModelEvent[]; evaluation: CanaryEvaluation }> {
  const name = `canary-test-${randomUUID().slice(0, 8)}`;
  const base = retrainerSettings(config);
  const settings = {
    ...base,
    modelName: name,
    baseModelDir: `${repoRoot}models/tiny-random`,
    canary: { ...base.canary, resamples: 300, ...canarySettings },
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
  const candidate = await parts.versions.register({
    name,
    version: '1.0.1',
    modelDir: '/models/b',
    status: 'candidate',
  });
  await startCanary(parts, { name, version: candidate, share: 0.2, startedBy: 'shadow', reason: 'test' });
  return { parts, name, events, evaluation: new CanaryEvaluation(parts, name, logger) };
}

/** The same enriched report, signed by `interpreter` (what routing and the first-model canary read). */
function signedBy(payload: ReportEnrichedPayload, interpreter: { id: string }): ReportEnrichedPayload {
  return { ...payload, report: { ...payload.report, resultInterpreter: interpreter } };
}

describe('firstModelCanaryOf', () => {
  const alice = { id: 'RAD-0042' };
  it("names the signing radiologist's model for a shared-model draft, and nothing for any other draft", () => {
    const shared = signedBy(enriched('A1', { name: 'radflow-cxr', version: '1' }, 'x'), alice);
    expect(firstModelCanaryOf(shared, 'radflow-cxr')).toBe(
      radiologistModelName('radflow-cxr', radiologistKey(alice)),
    );
    expect(
      firstModelCanaryOf(enriched('A1', { name: 'radflow-cxr', version: '1' }, 'x'), 'radflow-cxr'),
    ).toBe(undefined);
    const own = signedBy(
      enriched('A1', { name: radiologistModelName('radflow-cxr', radiologistKey(alice)), version: '1' }, 'x'),
      alice,
    );
    expect(firstModelCanaryOf(own, 'radflow-cxr')).toBeUndefined();
  });
});

describe('canaryModelOf', () => {
  const of = (name: string) => canaryModelOf(enriched('A1', { name, version: '1' }, 'x'), 'radflow-cxr');
  it("names the shared model or one of its radiologists' models, and nothing else", () => {
    expect(of('radflow-cxr')).toBe('radflow-cxr');
    expect(of('radflow-cxr~r-00112233aabbccdd')).toBe('radflow-cxr~r-00112233aabbccdd');
    expect(of('radflow-cxr-small~r-00112233aabbccdd')).toBeUndefined();
    expect(of('radflow-cxr~r-not-a-key')).toBeUndefined();
    expect(of('other')).toBeUndefined();
  });
});

describe('CanaryEvaluation on PostgreSQL', () => {
  it('rolls back a canary whose live drafts score below the serving model once each arm has the minimum', async () => {
    const { parts, name, events, evaluation } = await withCanary({ minReports: 8 });
    const tag = randomUUID().slice(0, 6);
    const steps = [];
    for (let i = 0; i < 8; i++) {
      steps.push(await evaluation.onEnriched(enriched(`S-${tag}-${i}`, { name, version: '1.0.0' }, SIGNED)));
      // Redelivered: counted once.
      await evaluation.onEnriched(enriched(`S-${tag}-${i}`, { name, version: '1.0.0' }, SIGNED));
    }
    for (let i = 0; i < 7; i++)
      steps.push(
        await evaluation.onEnriched(
          enriched(
            `C-${tag}-${i}`,
            { name, version: '1.0.1', route: 'canary' },
            'Small left pleural effusion.',
          ),
        ),
      );
    expect(steps.every((s) => 'verdict' in s && s.verdict === 'continue')).toBe(true);
    expect(await parts.canaries.current(name)).toBeDefined();
    const last = await evaluation.onEnriched(
      enriched(`C-${tag}-7`, { name, version: '1.0.1', route: 'canary' }, 'Small left pleural effusion.'),
    );
    expect(last).toMatchObject({ scored: true, arm: 'canary', verdict: 'stop', settled: 'rolled-back' });

    expect(await parts.canaries.current(name)).toBeUndefined();
    expect((await parts.deployments.current(name))?.version).toBe('1.0.0');
    expect(await parts.versions.get(name, '1.0.1')).toMatchObject({ status: 'rejected' });
    const decision = (await parts.decisions.list(name)).at(-1)!;
    expect(decision).toMatchObject({
      candidateVersion: '1.0.1',
      currentVersion: '1.0.0',
      outcome: 'reject',
      policy: { stage: 'canary', decidedBy: 'canary', share: 0.2, minReports: 8 },
    });
    expect(decision.reasons[0]).toMatch(/^canary rougeL \(n=8 vs 8\): .* lies wholly below -0\.5$/);
    expect(events.map((e) => e.kind)).toEqual(['model.canary_started', 'model.canary_ended']);
    expect(events[1]).toMatchObject({ canary: { decidedBy: 'canary' }, decision: { outcome: 'reject' } });
    // Once ended, later drafts count for nothing.
    expect(await evaluation.onEnriched(enriched(`C-${tag}-8`, { name, version: '1.0.1' }, 'x'))).toEqual({
      scored: false,
      reason: 'no-canary',
    });
  });

  it("rolls back a radiologist's canary on their own reports alone, leaving the shared model's canary running", async () => {
    const { parts, name, events, evaluation } = await withCanary({ minReports: 3 });
    const alice = radiologistModelName(name, '00112233aabbccdd');
    await parts.versions.register({
      name: alice,
      version: '1.0.0-a1',
      modelDir: '/models/a1',
      status: 'registered',
    });
    await parts.deployments.deploy(alice, '1.0.0-a1', 'bootstrap', 'test');
    const next = await parts.versions.register({
      name: alice,
      version: '1.0.0-a2',
      modelDir: '/models/a2',
      status: 'candidate',
    });
    await startCanary(parts, {
      name: alice,
      version: next,
      share: 0.2,
      startedBy: 'operator',
      reason: 'test',
    });
    const tag = randomUUID().slice(0, 6);
    for (let i = 0; i < 3; i++) {
      const own = await evaluation.onEnriched(
        enriched(`AS-${tag}-${i}`, { name: alice, version: '1.0.0-a1', route: 'radiologist' }, SIGNED),
      );
      expect(own).toMatchObject({ scored: true, arm: 'serving', canaryVersion: '1.0.0-a2' });
      // The shared model's drafts count for its own canary, never for Alice's.
      expect(
        await evaluation.onEnriched(enriched(`SS-${tag}-${i}`, { name, version: '1.0.0' }, SIGNED)),
      ).toMatchObject({ arm: 'serving', canaryVersion: '1.0.1' });
    }
    const steps = [];
    for (let i = 0; i < 3; i++)
      steps.push(
        await evaluation.onEnriched(
          enriched(
            `AC-${tag}-${i}`,
            { name: alice, version: '1.0.0-a2', route: 'canary' },
            'Small left pleural effusion.',
          ),
        ),
      );
    expect(steps.at(-1)).toMatchObject({ arm: 'canary', verdict: 'stop', settled: 'rolled-back' });
    expect(await parts.canaries.current(alice)).toBeUndefined();
    expect((await parts.deployments.current(alice))?.version).toBe('1.0.0-a1');
    expect(await parts.versions.get(alice, '1.0.0-a2')).toMatchObject({ status: 'rejected' });
    expect((await parts.decisions.list(alice)).at(-1)).toMatchObject({
      candidateVersion: '1.0.0-a2',
      currentVersion: '1.0.0-a1',
      outcome: 'reject',
      policy: { stage: 'canary', decidedBy: 'canary' },
    });
    expect(await parts.canaries.current(name)).toMatchObject({ version: '1.0.1' });
    expect(events.filter((e) => e.kind === 'model.canary_ended').map((e) => e.name)).toEqual([alice]);
  });

  it("runs a radiologist's first model as a canary beside the shared model on their reports, and promotes it", async () => {
    const { parts, name, events, evaluation } = await withCanary({
      minReports: 3,
      periodHours: 0,
      autoPromote: true,
    });
    const tag = randomUUID().slice(0, 6);
    const alice = { id: `RAD-ALICE-${tag}` };
    const aliceModel = radiologistModelName(name, radiologistKey(alice));
    const first = await parts.versions.register({
      name: aliceModel,
      version: '1.0.0-a1',
      modelDir: '/models/a1',
      status: 'candidate',
    });
    expect(await parts.deployments.current(aliceModel)).toBeUndefined();
    await startCanary(parts, {
      name: aliceModel,
      version: first,
      share: 0.2,
      startedBy: 'shadow',
      reason: 'test',
    });
    expect(events.at(-1)).toMatchObject({
      kind: 'model.canary_started',
      name: aliceModel,
      version: '1.0.0-a1',
      previousVersion: '1.0.0',
    });
    // The shared model's drafts of Alice's reports: her canary's serving arm (and the shared canary's, which runs too).
    for (let i = 0; i < 3; i++)
      await evaluation.onEnriched(
        signedBy(enriched(`AS-${tag}-${i}`, { name, version: '1.0.0', route: 'serving' }, SIGNED), alice),
      );
    // Bob's reports and unsigned ones are not hers.
    await evaluation.onEnriched(
      signedBy(
        enriched(`BS-${tag}`, { name, version: '1.0.0', route: 'serving' }, 'Small left pleural effusion.'),
        { id: `RAD-BOB-${tag}` },
      ),
    );
    const steps = [];
    for (let i = 0; i < 3; i++)
      steps.push(
        await evaluation.onEnriched(
          signedBy(
            enriched(`AC-${tag}-${i}`, { name: aliceModel, version: '1.0.0-a1', route: 'canary' }, SIGNED),
            alice,
          ),
        ),
      );
    expect(steps.slice(0, 2).every((s) => 'verdict' in s && s.verdict === 'continue')).toBe(true);
    expect(steps.at(-1)).toMatchObject({
      scored: true,
      arm: 'canary',
      servingVersion: '1.0.0',
      verdict: 'pass',
      settled: 'promoted',
    });
    expect(await parts.canaries.current(aliceModel)).toBeUndefined();
    expect((await parts.deployments.current(aliceModel))?.version).toBe('1.0.0-a1');
    const decision = (await parts.decisions.list(aliceModel)).at(-1)!;
    expect(decision).toMatchObject({
      candidateVersion: '1.0.0-a1',
      currentVersion: '1.0.0',
      outcome: 'promote',
      policy: { stage: 'canary', decidedBy: 'canary' },
    });
    // Bob's report is not in the serving arm.
    expect(decision.reasons[0]).toMatch(/^canary over \(3 canary and 3 serving reports,/);
    expect(events.filter((e) => e.name === aliceModel).map((e) => e.kind)).toEqual([
      'model.canary_started',
      'model.canary_ended',
      'model.promoted',
    ]);
    // The shared model and its own canary are untouched.
    expect((await parts.deployments.current(name))?.version).toBe('1.0.0');
    expect(await parts.canaries.current(name)).toMatchObject({ version: '1.0.1' });
  });

  it('promotes a canary not worse after its period only when auto-promotion is on', async () => {
    const { parts, name, events, evaluation } = await withCanary({
      minReports: 3,
      periodHours: 0,
      autoPromote: true,
    });
    const tag = randomUUID().slice(0, 6);
    for (let i = 0; i < 3; i++)
      await evaluation.onEnriched(enriched(`S-${tag}-${i}`, { name, version: '1.0.0' }, SIGNED));
    await evaluation.onEnriched(enriched(`C-${tag}-0`, { name, version: '1.0.1' }, SIGNED));
    await evaluation.onEnriched(enriched(`C-${tag}-1`, { name, version: '1.0.1' }, SIGNED));
    const last = await evaluation.onEnriched(enriched(`C-${tag}-2`, { name, version: '1.0.1' }, SIGNED));
    expect(last).toMatchObject({ verdict: 'pass', settled: 'promoted' });
    expect((await parts.deployments.current(name))?.version).toBe('1.0.1');
    expect(events.map((e) => e.kind)).toEqual([
      'model.canary_started',
      'model.canary_ended',
      'model.promoted',
    ]);

    const manual = await withCanary({ minReports: 1, periodHours: 0, autoPromote: false });
    await manual.evaluation.onEnriched(
      enriched(`S2-${tag}`, { name: manual.name, version: '1.0.0' }, SIGNED),
    );
    expect(
      await manual.evaluation.onEnriched(
        enriched(`C2-${tag}`, { name: manual.name, version: '1.0.1' }, SIGNED),
      ),
    ).toMatchObject({ verdict: 'pass' });
    expect(await manual.parts.canaries.current(manual.name)).toMatchObject({ version: '1.0.1' });
  });
});
