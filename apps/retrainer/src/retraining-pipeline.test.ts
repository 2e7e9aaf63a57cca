import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, repoRoot } from '@radflow/config';
import { KafkaBus } from '@radflow/events';
import { sha256Hex } from '@radflow/feedback';
import { radiologistModelName } from '@radflow/reports';
import { FeedbackStore, migrate, openDatabase, type Database, type FeedbackRow } from '@radflow/store';
import { RetrainingPipeline } from './retraining-pipeline.ts';
import { retrainerSettings } from './retrainer-settings.ts';

// The policy as the service asks it, on the real PostgreSQL (no broker needed: nothing is published).
let database: Database;
beforeAll(async () => {
  database = openDatabase(loadConfig().database.url);
  await migrate(database);
});
afterAll(async () => database.end());

function pipelineFor(name: string, env: Record<string, string> = {}): RetrainingPipeline {
  const config = loadConfig({ RETRAIN_MIN_NEW_EXAMPLES: '3', RETRAIN_MIN_INTERVAL_S: '0', ...env });
  const settings = {
    ...retrainerSettings(config),
    modelName: name,
    includeUnattributed: false,
    baseModelDir: `${repoRoot}models/tiny-random`,
  };
  const logger = createLogger('test', 'silent');
  return new RetrainingPipeline(database, new KafkaBus(config.kafka, logger), logger, settings);
}

function row(model: string, radiologistKey: string | null = null): FeedbackRow {
  return {
    radiologistKey,
    feedbackId: randomUUID(),
    accession: `A-${randomUUID()}`,
    reportVersion: 'v1',
    source: 'explicit',
    reviewerId: 'r',
    output: 'impression',
    verdict: 'edit',
    model: { name: model, version: '1' },
    draftText: 'Draft.',
    correctedText: 'Final.',
    draftLabels: null,
    correctedLabels: null,
    correctedPriority: null,
    findings: 'Clear.',
    reportText: null,
    submittedAt: '2025-01-01T00:00:00.000Z',
  };
}

describe('RetrainingPipeline.policyDecision', () => {
  it('counts this model’s new feedback, ignores a run left behind by a dead process, and waits for a live one', async () => {
    const name = `policy-${randomUUID().slice(0, 8)}`;
    const pipeline = pipelineFor(name);
    const feedback = new FeedbackStore(database);
    await feedback.save([row(name), row(name), row('another-model')]);
    expect(await pipeline.policyDecision(false)).toMatchObject({
      run: false,
      reason: '2 new feedback records < 3',
    });
    await feedback.save([row(name)]);
    expect(await pipeline.policyDecision(false)).toMatchObject({ run: true, trigger: 'threshold' });

    // A run row still 'running' with nobody holding the lock: its process died, it does not block.
    await pipeline.parts.runs.start({
      runId: randomUUID(),
      name,
      trigger: 'test',
      baseVersion: '0.1.0',
      feedbackWatermark: 0,
    });
    expect(await pipeline.runInProgress()).toBe(false);
    expect(await pipeline.policyDecision(false)).toMatchObject({ run: true });

    // A live run elsewhere holds the lock.
    const other = await database.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [
        parseInt(sha256Hex(`radflow-retrain:${name}`).slice(0, 8), 16) | 0,
      ]);
      expect(await pipeline.runInProgress()).toBe(true);
      expect(await pipeline.policyDecision(false)).toEqual({ run: false, reason: 'a run is in progress' });
      await expect(pipeline.run({ trigger: 'test' })).rejects.toMatchObject({ code: 'RUN_IN_PROGRESS' });
    } finally {
      await other.query('SELECT pg_advisory_unlock_all()');
      other.release();
    }
  });
});

describe('RetrainingPipeline per radiologist', () => {
  const [anne, rita] = ['a1a1a1a1a1a1a1a1', 'b2b2b2b2b2b2b2b2'];

  it('finds the radiologists with enough new feedback of their own, each with their own name, scope and watermark', async () => {
    const name = `policy-${randomUUID().slice(0, 8)}`;
    const shared = pipelineFor(name, {
      RETRAIN_MIN_NEW_EXAMPLES: '1000',
      RETRAIN_RADIOLOGIST_MIN_FEEDBACK: '3',
    });
    const feedback = new FeedbackStore(database);
    await feedback.save([row(name, anne), row(name, anne), row(name, rita), row(name, rita), row(name)]);
    expect(await shared.radiologistsDue(false)).toEqual([]);
    // A draft of Anne's own model counts for Anne's model.
    await feedback.save([row(radiologistModelName(name, anne), anne)]);
    const due = await shared.radiologistsDue(false);
    expect(due.map((d) => d.pipeline.radiologistKey)).toEqual([anne]);
    const annes = due[0]!.pipeline;
    expect(annes.modelName).toBe(`${name}~r-${anne}`);
    expect(annes.scope).toEqual({ modelName: name, includeUnattributed: false, radiologistKey: anne });
    expect(due[0]!.decision).toMatchObject({ run: true, reason: '3 new feedback records >= 3' });
    expect(shared.forRadiologist(anne)).toBe(annes);

    // A run of Anne's model that got to a decision consumes her feedback up to its watermark; Rita's is untouched.
    await shared.parts.runs.start({
      runId: randomUUID(),
      name: annes.modelName,
      trigger: 'radiologist-threshold',
      baseVersion: '0.1.0',
      feedbackWatermark: await feedback.latestSequence(),
    });
    await feedback.save([row(name, rita)]);
    const runId = (await shared.parts.runs.latest(annes.modelName))!.runId;
    await shared.parts.runs.update(runId, { status: 'rejected' });
    expect((await shared.radiologistsDue(false)).map((d) => d.pipeline.radiologistKey)).toEqual([rita]);

    const off = pipelineFor(name, { RETRAIN_RADIOLOGIST_MIN_FEEDBACK: '0' });
    expect(await off.radiologistsDue(false)).toEqual([]);
    expect(await off.forRadiologist(rita).policyDecision(false)).toMatchObject({ run: false });
  });

  it('starts a radiologist’s model from the shared model’s serving version without deploying a copy of it', async () => {
    const name = `boot-${randomUUID().slice(0, 8)}`;
    const shared = pipelineFor(name);
    const annes = shared.forRadiologist(anne);
    const current = await annes.currentModel();
    // The shared model was bootstrapped; its serving version is registered under Anne's name (same artifact), but
    // nothing is deployed there, so her reports keep the shared model.
    const sharedServing = (await shared.parts.deployments.current(name))!;
    expect(sharedServing).toMatchObject({ name, version: '0.1.0' });
    expect(current).toMatchObject({
      name: annes.modelName,
      version: '0.1.0',
      status: 'registered',
      modelDir: sharedServing.modelDir,
      baseName: name,
      baseVersion: '0.1.0',
    });
    expect(await annes.currentModel()).toEqual(current);
    expect(await annes.baseModel()).toEqual(sharedServing);
    expect(await shared.parts.deployments.current(annes.modelName)).toBeUndefined();

    // Once a version of hers serves, it is what a candidate must beat; the trainer's base stays the shared model.
    await shared.parts.versions.register({
      name: annes.modelName,
      version: '0.1.0-r1',
      modelDir: current.modelDir,
      status: 'candidate',
      baseName: name,
      baseVersion: '0.1.0',
    });
    await shared.parts.deployments.deploy(annes.modelName, '0.1.0-r1', 'promotion', 'test');
    expect(await annes.currentModel()).toMatchObject({ name: annes.modelName, version: '0.1.0-r1' });
    expect(await annes.baseModel()).toMatchObject({ name, version: '0.1.0' });
  });
});
