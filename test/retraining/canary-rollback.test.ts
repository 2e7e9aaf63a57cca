import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, repoRoot, type RadflowConfig } from '@radflow/config';
import { createEnvelope, KafkaBus, Topics, type ConsumedRecord, type Envelope } from '@radflow/events';
import { DEFAULT_CANARY_POLICY } from '@radflow/feedback';
import { startHost, type RunningHost } from '@radflow/platform';
import {
  retrainerApp,
  retrainerCanaryApp,
  retrainerSettings,
  runModelCanary,
  runModelPromote,
  runModelStatus,
} from '@radflow/retrainer';
import {
  apiSchemaId,
  createSchemaAjv,
  type ModelEventPayload,
  type RetrainingStatus,
} from '@radflow/schemas';
import {
  CanaryScores,
  GateDecisions,
  ModelCanaries,
  ModelDeployments,
  ModelVersions,
  openDatabase,
  type Database,
} from '@radflow/store';
import { EventCollector } from '../support/event-collector.ts';
import { canonicalReport, enrichmentOf, trainSplitReports } from './support/feedback-fixtures.ts';

/**
 * Canary on the real broker and database (issue 18): an operator starts a canary that passed its gate and shadow
 * (`radflow model promote --canary`), the enricher (simulated here: the enriched events it would publish, each naming
 * the version and route that drafted it) serves it a share of live reports, and the canary stage (its own consumer
 * group on rad.report.enriched.v1) scores every served draft against what the radiologist signed. The canary's drafts
 * are another report's impression (what a model trained on shuffled targets writes); the serving model's are the
 * signed impression's first sentence. At the DEFAULT canary settings the canary is rolled back automatically once
 * each arm has its minimum: decision and reason recorded, model.canary_ended published, never promoted. While it
 * runs, GET /v1/retraining/status shows it with its live comparison.
 */
const tag = randomUUID().slice(0, 8);
const modelName = `radflow-e2e-canary-${tag}`;
const savedEnv = { ...process.env };
const SHARE = 0.25;
const MAX_REPORTS = 800;

let workDir: string;
let config: RadflowConfig;
let host: RunningHost;
let collector: EventCollector;
let database: Database;

const modelEvent = (record: ConsumedRecord) =>
  (JSON.parse(record.value!.toString('utf8')) as Envelope<ModelEventPayload>).payload;
const ofModel = (kind: ModelEventPayload['kind']) => (record: ConsumedRecord) => {
  const event = modelEvent(record);
  return event.name === modelName && event.kind === kind;
};

// The enricher's routing by accession hash (a stand-in: the real one is libs/enrichment's routeModel).
const inCanary = (accession: string) =>
  createHash('sha256').update(accession).digest().readUInt32BE(0) / 2 ** 32 < SHARE;
const firstSentence = (text: string) => (/^[^.]*\./.exec(text)?.[0] ?? text).trim();

beforeAll(async () => {
  mkdirSync(join(repoRoot, '.cache/retrainer-e2e'), { recursive: true });
  workDir = mkdtempSync(join(repoRoot, '.cache/retrainer-e2e/canary-'));
  // No RETRAIN_CANARY_*: the defaults are under test.
  Object.assign(process.env, {
    RETRAIN_MODEL_NAME: modelName,
    RETRAIN_BASE_MODEL_DIR: `${repoRoot}models/tiny-random`,
    RETRAIN_WORK_DIR: workDir,
    RETRAIN_AUTO: 'false',
    RETRAINER_HTTP_PORT: '0',
    KAFKA_GROUP_PREFIX: `radflow-e2e-canary-${tag}`,
    // The retrainer's own group (feedback, finalized) too: the canary stage already starts at the end.
    // Fresh groups start at the topics' ends (positioned before they join): this test publishes only once its host is
    // up, and replaying what earlier runs left on the long-lived broker cost minutes per file.
    KAFKA_START_FROM: 'latest',
    LOG_LEVEL: 'warn',
  });
  config = loadConfig();
  database = openDatabase(config.database.url);
  // The registry: 1.0.0 serves; 1.0.1 passed its fixed-set gate and its shadow period.
  const versions = new ModelVersions(database);
  await versions.register({ name: modelName, version: '1.0.0', modelDir: '/models/a', status: 'registered' });
  await new ModelDeployments(database).deploy(modelName, '1.0.0', 'bootstrap', 'e2e');
  await versions.register({ name: modelName, version: '1.0.1', modelDir: '/models/b', status: 'candidate' });
  for (const policy of [{}, { stage: 'shadow' }])
    await new GateDecisions(database).record({
      name: modelName,
      candidateVersion: '1.0.1',
      currentVersion: '1.0.0',
      outcome: 'promote',
      reasons: ['passed'],
      comparisons: [],
      policy,
    });
  collector = await EventCollector.start([Topics.modelEvents]);
  host = await startHost([retrainerApp, retrainerCanaryApp], config, { processName: 'e2e-canary' });
});

afterAll(async () => {
  await Promise.allSettled([host?.close(), collector?.stop()]);
  await database?.end();
  process.env = savedEnv;
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('canary on the real broker and database', () => {
  it('rolls back a canary whose live drafts score below the serving model, at the default settings', async () => {
    const started = performance.now();
    expect(retrainerSettings(config).canary).toEqual({
      ...DEFAULT_CANARY_POLICY,
      share: 0,
      autoPromote: false,
    });

    const promoted = await runModelPromote({
      modelName,
      version: '1.0.1',
      canaryShare: SHARE,
      reason: 'e2e canary',
      operator: 'e2e-operator',
    });
    expect(promoted).toMatchObject({ action: 'canary', share: SHARE, previousVersion: '1.0.0' });
    const [canaryStarted] = await collector.waitFor(ofModel('model.canary_started'));
    expect(modelEvent(canaryStarted!)).toMatchObject({
      version: '1.0.1',
      modelDir: '/models/b',
      previousVersion: '1.0.0',
      canary: { share: SHARE, startedBy: 'e2e-operator' },
    });

    const reports = trainSplitReports(MAX_REPORTS);
    const bus = new KafkaBus(config.kafka, createLogger('e2e-canary-reports', 'warn'));
    const scores = new CanaryScores(database);
    const ended = () => collector.records.filter(ofModel('model.canary_ended'));
    const canaryStart = new Date((await new ModelCanaries(database).current(modelName))!.startedAt);
    let sent = 0;
    let status: RetrainingStatus | undefined;
    try {
      while (sent < reports.length && ended().length === 0) {
        for (const [i, source] of reports.slice(sent, sent + 50).entries()) {
          const accession = `CANARY-E2E-${tag}-${source.uid}`;
          const report = canonicalReport(source, accession, 'v1');
          const canary = inCanary(accession);
          // A shuffled-target model: another report's impression.
          const other = reports[(sent + i + 17) % reports.length]!;
          const payload = enrichmentOf(
            report,
            { name: modelName, version: canary ? '1.0.1' : '1.0.0' },
            canary ? other.impression : firstSentence(source.impression),
          );
          // The route as the enricher records it (enrichment.model.route).
          Object.assign(payload.enrichment.model, { route: canary ? 'canary' : 'serving' });
          await bus.publishEvent(
            Topics.reportEnriched,
            report.patient.key,
            createEnvelope('rad.report.enriched', 1, payload, {
              sourceMessageId: report.source.messageId,
              producer: 'e2e',
            }),
          );
        }
        sent = Math.min(reports.length, sent + 50);
        // Every draft sent is scored before the next chunk, so the reports sent say how many the verdict took.
        const deadline = Date.now() + 120_000;
        while (
          ended().length === 0 &&
          (await scores.list(modelName, '1.0.1', '1.0.0', canaryStart)).length < sent &&
          Date.now() < deadline
        )
          await new Promise((resolve) => setTimeout(resolve, 300));
        if (!status && ended().length === 0) {
          // While the canary runs: the status endpoint shows it with its live comparison (schemas/api).
          const response = await fetch(`http://127.0.0.1:${host.httpPort}/v1/retraining/status`);
          expect(response.status).toBe(200);
          status = (await response.json()) as RetrainingStatus;
          const validate = createSchemaAjv().getSchema(apiSchemaId('retraining-status.v1'))!;
          expect(validate(status), JSON.stringify(validate.errors)).toBe(true);
          expect(await runModelCanary({ modelName })).toMatchObject({ version: '1.0.1', share: SHARE });
        }
      }
    } finally {
      await bus.disconnect();
    }
    expect(status).toMatchObject({
      model: { name: modelName, version: '1.0.0' },
      shadows: [],
      canaries: [
        {
          name: modelName,
          version: '1.0.1',
          servingVersion: '1.0.0',
          share: SHARE,
          startedBy: 'e2e-operator',
          autoPromote: false,
          live: { verdict: 'continue' },
        },
      ],
    });
    expect(status!.canaries[0]!.reports.serving).toBeGreaterThan(0);
    expect(status!.canaries[0]!.live.comparisons.map((c) => c.metric)).toEqual(['rougeL', 'bleu1', 'f1']);

    const [endedRecord] = await collector.waitFor(ofModel('model.canary_ended'), { timeoutMs: 120_000 });
    const event = modelEvent(endedRecord!);
    const scored = await scores.list(modelName, '1.0.1', '1.0.0', canaryStart);
    const canaryReports = scored.filter((s) => s.arm === 'canary').length;
    console.log(
      JSON.stringify({
        sent,
        scored: { canary: canaryReports, serving: scored.length - canaryReports },
        reasons: event.decision?.reasons,
        seconds: (performance.now() - started) / 1000,
      }),
    );

    // Rolled back automatically, with the live comparison and its reason.
    expect(event).toMatchObject({
      version: '1.0.1',
      previousVersion: '1.0.0',
      canary: { share: SHARE, startedBy: 'e2e-operator', decidedBy: 'canary' },
      decision: { outcome: 'reject' },
    });
    const comparisons = event.decision!.comparisons;
    expect(comparisons.every((c) => c.evaluationSet === 'canary')).toBe(true);
    expect(comparisons.some((c) => c.worse && c.difference.upper < -DEFAULT_CANARY_POLICY.tolerance)).toBe(
      true,
    );
    expect(comparisons[0]!.examples).toBeGreaterThanOrEqual(DEFAULT_CANARY_POLICY.minReports);
    expect(event.decision!.reasons[0]).toMatch(/^canary \w+ \(n=\d+ vs \d+\): .* lies wholly below -0\.5$/);
    expect(canaryReports).toBeGreaterThanOrEqual(DEFAULT_CANARY_POLICY.minReports);

    // The serving model never changed; the canary is gone and its version can never be deployed.
    expect(collector.records.filter(ofModel('model.promoted'))).toEqual([]);
    expect(await new ModelCanaries(database).current(modelName)).toBeUndefined();
    expect(
      (await new ModelDeployments(database).history(modelName)).map((d) => [d.action, d.version]),
    ).toEqual([['bootstrap', '1.0.0']]);
    expect(await new ModelVersions(database).get(modelName, '1.0.1')).toMatchObject({ status: 'rejected' });
    const decision = (await new GateDecisions(database).list(modelName)).at(-1)!;
    expect(decision).toMatchObject({
      candidateVersion: '1.0.1',
      outcome: 'reject',
      reasons: event.decision!.reasons,
      policy: { stage: 'canary', share: SHARE, startedBy: 'e2e-operator', decidedBy: 'canary' },
    });
    // Report keys are accession hashes, never accessions.
    expect(scored.every((s) => /^[0-9a-f]{20}$/.test(s.reportKey))).toBe(true);

    // What operators see.
    expect(await runModelCanary({ modelName })).toBeUndefined();
    expect(await runModelStatus({ modelName })).toMatchObject({
      serving: { version: '1.0.0' },
      canary: null,
    });
    expect((await runModelStatus({ modelName })).decisions.map((d) => [d.stage, d.outcome])).toEqual([
      ['canary', 'reject'],
      ['shadow', 'promote'],
      ['gate', 'promote'],
    ]);
  }, 600_000);
});
