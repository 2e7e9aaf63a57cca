import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, repoRoot, type RadflowConfig } from '@radflow/config';
import { KafkaBus, Topics, type ConsumedRecord, type Envelope } from '@radflow/events';
import { accessionKey, DEFAULT_SHADOW_POLICY, feedbackRecords } from '@radflow/feedback';
import { startHost, type RunningHost } from '@radflow/platform';
import {
  readModelManifest,
  retrainerSettings,
  retrainerShadowApp,
  runModelShadow,
  runModelStatus,
  runRetraining,
} from '@radflow/retrainer';
import type { ModelEventPayload } from '@radflow/schemas';
import {
  FeedbackStore,
  GateDecisions,
  ModelDeployments,
  ModelVersions,
  openDatabase,
  ShadowScores,
  TrainingRuns,
  type Database,
} from '@radflow/store';
import { EventCollector } from '../support/event-collector.ts';
import { e2eBaseModel } from './support/base-model.ts';
import {
  canonicalReport,
  enrichmentOf,
  finalizedEnvelope,
  reviewOf,
  trainSplitReports,
} from './support/feedback-fixtures.ts';

/**
 * Shadow evaluation on the real broker and database (issue 18): a candidate fine-tuned on shuffled targets at the
 * default budget passes the small fixed-set gate, enters shadow, and the shadow stage (its own consumer group on
 * rad.report.finalized.v1) drafts with it and with the serving model for each finalized report this test
 * publishes, until the verdict at the DEFAULT shadow settings stops it: never promoted, never served, the decision
 * and its reason recorded.
 */
const tag = randomUUID().slice(0, 8);
const modelName = `radflow-e2e-shadow-${tag}`;
const savedEnv = { ...process.env };
// Enough live reports for the default verdict (100 at least; measured: a shuffled candidate at the default
// training budget is stopped after 100-600 reports, depending on their order).
const MAX_REPORTS = 1200;

let baseDir: string;
let baseVersion: string;
let workDir: string;
let config: RadflowConfig;
let host: RunningHost;
let collector: EventCollector;
let database: Database;

const modelEvent = (record: ConsumedRecord) =>
  (JSON.parse(record.value!.toString('utf8')) as Envelope<ModelEventPayload>).payload;
const ofModel = (kind: ModelEventPayload['kind'], version?: string) => (record: ConsumedRecord) => {
  const event = modelEvent(record);
  return event.name === modelName && event.kind === kind && (!version || event.version === version);
};

beforeAll(async () => {
  baseDir = e2eBaseModel();
  baseVersion = readModelManifest(baseDir).version;
  mkdirSync(join(repoRoot, '.cache/retrainer-e2e'), { recursive: true });
  workDir = mkdtempSync(join(repoRoot, '.cache/retrainer-e2e/shadow-'));
  // No RETRAIN_SHADOW_* and no training budget here: the defaults are under test.
  Object.assign(process.env, {
    RETRAIN_MODEL_NAME: modelName,
    RETRAIN_BASE_MODEL_DIR: baseDir,
    RETRAIN_WORK_DIR: workDir,
    RETRAIN_AUTO: 'false',
    RETRAIN_INCLUDE_UNATTRIBUTED: 'false',
    RETRAIN_EVAL_FIXED_SIZE: '40',
    RETRAINER_HTTP_PORT: '0',
    KAFKA_GROUP_PREFIX: `radflow-e2e-shadow-${tag}`,
    LOG_LEVEL: 'warn',
  });
  config = loadConfig();
  database = openDatabase(config.database.url);
  collector = await EventCollector.start([Topics.modelEvents]);
  host = await startHost([retrainerShadowApp], config, { processName: 'e2e-shadow' });
}, 900_000);

afterAll(async () => {
  await Promise.allSettled([host?.close(), collector?.stop()]);
  await database?.end();
  process.env = savedEnv;
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('shadow evaluation on the real broker and database', () => {
  it('stops a candidate trained on shuffled targets in shadow, at the default settings, before it serves', async () => {
    const started = performance.now();
    expect(retrainerSettings(config).shadow).toEqual(DEFAULT_SHADOW_POLICY);

    // Radiologists' feedback on 60 reports (accessions fixed, so the run's split and shuffle are the same each time).
    const feedback = new FeedbackStore(database);
    const model = { name: modelName, version: baseVersion };
    for (const source of trainSplitReports(60)) {
      const accession = `SHADOW-E2E-${source.uid}`;
      const drafted = enrichmentOf(canonicalReport(source, accession, 'v1'), model, 'No acute disease.');
      const payload = {
        ...reviewOf(source, accession, 'rad-1'),
        feedbackId: randomUUID(),
        source: 'explicit' as const,
        submittedAt: new Date().toISOString(),
      };
      await feedback.save(feedbackRecords(payload, drafted));
    }

    const outcome = await runRetraining({ trigger: 'e2e-shadow-shuffled', shuffleTargets: true });
    console.log(
      JSON.stringify({ status: outcome.status, seconds: outcome.seconds, gate: outcome.decision?.reasons }),
    );
    // The fixed-set gate (40 reports, one point of margin) does not see the damage: the candidate enters shadow.
    expect(outcome.status).toBe('shadow');
    const candidate = outcome.candidateVersion!;
    const versions = new ModelVersions(database);
    const deployments = new ModelDeployments(database);
    expect(await versions.get(modelName, candidate)).toMatchObject({
      status: 'shadow',
      training: { shuffledTargets: true },
    });
    expect((await deployments.current(modelName))?.version).toBe(baseVersion);
    const [shadowStarted] = await collector.waitFor(ofModel('model.shadow_started', candidate));
    expect(modelEvent(shadowStarted!)).toMatchObject({
      runId: outcome.runId,
      previousVersion: baseVersion,
      decision: { outcome: 'promote' },
    });

    // Live traffic: finalized chest X-ray reports (never in the feedback above), in chunks until the verdict.
    const reports = trainSplitReports(MAX_REPORTS, 60);
    const bus = new KafkaBus(config.kafka, createLogger('e2e-shadow-reports', 'warn'));
    const stopped = () => collector.records.filter(ofModel('model.rejected', candidate));
    let sent = 0;
    try {
      while (sent < reports.length && stopped().length === 0) {
        for (const source of reports.slice(sent, sent + 50)) {
          const report = canonicalReport(source, `SHADOW-E2E-${tag}-${source.uid}`, 'v1');
          await bus.publishEvent(
            Topics.reportFinalized,
            report.patient.key,
            finalizedEnvelope(report, 'e2e'),
          );
        }
        sent = Math.min(reports.length, sent + 50);
        // Keep the stage at most a chunk behind, so the reports sent say how many it took.
        const deadline = Date.now() + 300_000;
        const scores = new ShadowScores(database);
        while (
          stopped().length === 0 &&
          (await scores.list(modelName, candidate, baseVersion)).length < sent - 50 &&
          Date.now() < deadline
        )
          await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await bus.disconnect();
    }
    const [rejected] = await collector.waitFor(ofModel('model.rejected', candidate), { timeoutMs: 300_000 });
    const event = modelEvent(rejected!);
    const scored = await new ShadowScores(database).list(modelName, candidate, baseVersion);
    console.log(
      JSON.stringify({
        sent,
        scored: scored.length,
        reasons: event.decision?.reasons,
        seconds: (performance.now() - started) / 1000,
      }),
    );

    // Stopped in shadow, with the running comparison and its reason.
    expect(event).toMatchObject({
      runId: outcome.runId,
      previousVersion: baseVersion,
      decision: { outcome: 'reject' },
    });
    const shadowComparisons = event.decision!.comparisons.filter((c) => c.evaluationSet === 'shadow');
    expect(shadowComparisons.map((c) => c.metric)).toEqual(['rougeL', 'bleu1', 'f1']);
    expect(
      shadowComparisons.some((c) => c.worse && c.difference.upper < -DEFAULT_SHADOW_POLICY.tolerance),
    ).toBe(true);
    expect(shadowComparisons[0]!.examples).toBeGreaterThanOrEqual(DEFAULT_SHADOW_POLICY.minReports);
    expect(event.decision!.reasons[0]).toMatch(/^shadow \w+ \(n=\d+\): .* lies wholly below -0\.5$/);
    expect(scored.length).toBeGreaterThanOrEqual(DEFAULT_SHADOW_POLICY.minReports);

    // Never promoted, never served: the serving history holds the bootstrap only.
    expect(collector.records.filter(ofModel('model.promoted'))).toEqual([]);
    expect((await deployments.history(modelName)).map((d) => [d.action, d.version])).toEqual([
      ['bootstrap', baseVersion],
    ]);
    expect(await versions.get(modelName, candidate)).toMatchObject({ status: 'rejected' });
    const decisions = await new GateDecisions(database).list(modelName);
    expect(decisions.map((d) => [d.candidateVersion, d.outcome, d.policy.stage ?? 'gate'])).toEqual([
      [candidate, 'promote', 'gate'],
      [candidate, 'reject', 'shadow'],
    ]);
    expect(decisions[1]!.reasons).toEqual(event.decision!.reasons);
    expect(await new TrainingRuns(database).get(outcome.runId)).toMatchObject({ status: 'rejected' });

    // Report keys are accession hashes, never accessions.
    expect(scored.every((s) => /^[0-9a-f]{20}$/.test(s.reportKey))).toBe(true);
    expect(scored.map((s) => s.reportKey)).toContain(
      accessionKey(`SHADOW-E2E-${tag}-${reports[0]!.uid}`, retrainerSettings(config).split.salt),
    );

    // What operators see: nothing in shadow any more, the decisions newest first.
    expect(await runModelShadow()).toBeUndefined();
    expect(await runModelStatus()).toMatchObject({
      name: modelName,
      serving: { version: baseVersion },
      candidates: [],
      decisions: [
        { candidateVersion: candidate, stage: 'shadow', outcome: 'reject' },
        { candidateVersion: candidate, stage: 'gate', outcome: 'promote' },
      ],
    });
  }, 1_500_000);
});
