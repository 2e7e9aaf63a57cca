import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger, loadConfig, repoRoot } from '@radflow/config';
import { radiologistKey, radiologistModelName, type ResultInterpreter } from '@radflow/reports';
import type { RadiologyReport } from '@radflow/schemas';
import { retrainerSettings } from '../retrainer-settings.ts';
import { retrainingParts } from '../retraining-parts.ts';
import type { RetrainingParts } from '../retraining-run.ts';
import type { ShadowDrafter } from './shadow-drafter.ts';
import { ShadowEvaluation } from './shadow-evaluation.ts';
import { startShadow } from './shadow-start.ts';
import { registryAndBus } from '../registry-and-bus.testing.ts';

// A radiologist's candidate in shadow is scored on that radiologist's reports only, beside the shared model that
// serves them; on the real PostgreSQL and broker (model events are published). The drafter is a stub: no model runs.
const config = loadConfig({ RETRAIN_MIN_INTERVAL_S: '0' });
const logger = createLogger('test', 'silent');
const { database, bus } = registryAndBus(config, logger);

/** Drafts "<model dir>" for each model asked, and counts what it was asked. */
function stubDrafter() {
  const calls = { draft: [] as string[][], release: 0 };
  const drafter = {
    draft: async (dirs: string[]) => {
      calls.draft.push(dirs);
      return dirs.map((dir) => `Impression from ${dir}.`);
    },
    release: async () => {
      calls.release += 1;
    },
  };
  return { drafter: drafter as unknown as ShadowDrafter, calls };
}

function signedBy(interpreter: ResultInterpreter | undefined): RadiologyReport {
  return {
    source: { kind: 'hl7v2', messageId: `M-${randomUUID()}` },
    reportId: 'R1',
    reportVersion: 'final:1',
    accession: `A-${randomUUID()}`,
    patient: { key: 'a'.repeat(32) },
    procedure: { text: 'XR CHEST 2 VIEWS' },
    status: 'final',
    text: 'FINDINGS: Clear lungs. IMPRESSION: No acute disease.',
    sections: { findings: 'Clear lungs.', impression: 'No acute disease.' },
    unusedContent: [],
    ...(interpreter ? { resultInterpreter: interpreter } : {}),
  };
}

async function radiologistCandidateInShadow(
  parts: RetrainingParts,
  name: string,
  version: string,
): Promise<void> {
  const runId = randomUUID();
  await parts.runs.start({ runId, name, trigger: 'test', baseVersion: '1.0.0', feedbackWatermark: 0 });
  await parts.versions.register({
    name,
    version,
    modelDir: `/models/${version}`,
    status: 'candidate',
    training: { runId },
  });
  const decision = { outcome: 'promote' as const, reasons: ['not worse'], comparisons: [] };
  await parts.decisions.record({
    name,
    candidateVersion: version,
    currentVersion: '1.0.0',
    ...decision,
    policy: {},
    runId,
  });
  await startShadow(parts, {
    name,
    runId,
    currentVersion: '1.0.0',
    candidate: { version, modelDir: `/models/${version}` },
    decision,
  });
}

describe('shadow evaluation of a radiologist’s candidate', () => {
  it('scores only the reports that radiologist signed, against the shared model that serves them', async () => {
    const shared = `shadow-r-${randomUUID().slice(0, 8)}`;
    const settings = {
      ...retrainerSettings(config),
      modelName: shared,
      baseModelDir: `${repoRoot}models/tiny-random`,
    };
    const parts = retrainingParts(database(), bus(), logger, settings);
    await parts.versions.register({
      name: shared,
      version: '1.0.0',
      modelDir: '/models/shared',
      status: 'registered',
    });
    await parts.deployments.deploy(shared, '1.0.0', 'bootstrap', 'test');
    const anne = { id: 'R123', system: 'RADGRP' };
    const annesModel = radiologistModelName(shared, radiologistKey(anne));
    await radiologistCandidateInShadow(parts, annesModel, '1.0.0-r1');

    const { drafter, calls } = stubDrafter();
    const evaluation = new ShadowEvaluation(parts, drafter, shared, logger);
    const now = () => new Date(Date.now() + 1000);

    expect(await evaluation.onFinalized(signedBy(anne), now())).toMatchObject({
      scored: true,
      candidateVersion: '1.0.0-r1',
      servingVersion: '1.0.0',
      verdict: 'continue',
    });
    // Candidate and the shared model's serving version drafted side by side.
    expect(calls.draft).toEqual([['/models/1.0.0-r1', '/models/shared']]);
    expect(await parts.shadowScores.list(annesModel, '1.0.0-r1', '1.0.0')).toHaveLength(1);

    // Another radiologist's report, or one that names nobody: not Anne's candidate's to be scored on.
    for (const other of [
      signedBy({ id: 'R999', system: 'RADGRP' }),
      signedBy(undefined),
      signedBy({ id: 'R123' }),
    ])
      expect(await evaluation.onFinalized(other, now())).toEqual({
        scored: false,
        reason: 'no-candidate-in-shadow',
      });
    expect(calls.draft).toHaveLength(1);
    expect(calls.release).toBe(3);
    expect(await parts.shadowScores.list(annesModel, '1.0.0-r1', '1.0.0')).toHaveLength(1);
  });
});
