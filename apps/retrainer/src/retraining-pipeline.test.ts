import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, repoRoot } from '@radflow/config';
import { KafkaBus } from '@radflow/events';
import { sha256Hex } from '@radflow/feedback';
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

function pipelineFor(name: string): RetrainingPipeline {
  const config = loadConfig({ RETRAIN_MIN_NEW_EXAMPLES: '3', RETRAIN_MIN_INTERVAL_S: '0' });
  const settings = {
    ...retrainerSettings(config),
    modelName: name,
    includeUnattributed: false,
    baseModelDir: `${repoRoot}models/tiny-random`,
  };
  const logger = createLogger('test', 'silent');
  return new RetrainingPipeline(database, new KafkaBus(config.kafka, logger), logger, settings);
}

function row(model: string): FeedbackRow {
  return {
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
