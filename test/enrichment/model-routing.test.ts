import { createHash, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, repoRoot } from '@radflow/config';
import { enricherApp, HttpTaskRunner } from '@radflow/enricher';
import { canaryPosition, RoutedModelClient, type ModelRoute } from '@radflow/enrichment';
import { createTopicEvent, Topics, type ConsumedRecord } from '@radflow/events';
import { inferenceApp } from '@radflow/inference';
import { startHost, type RunningHost } from '@radflow/platform';
import { radiologistKey, radiologistModelName } from '@radflow/reports';
import type { RadiologyReport, ReportEnrichedPayload } from '@radflow/schemas';
import {
  migrate,
  ModelCanaries,
  ModelDeployments,
  ModelVersions,
  openDatabase,
  type Database,
} from '@radflow/store';
import { EventCollector } from '../support/event-collector.ts';

// Routing through the real enricher and inference apps, the real broker and the registry in PostgreSQL: a canary at
// share 0.5 drafts about half the reports, chosen by accession hash (the same accession always meets the same
// version), every enriched event names the version that drafted it, and a radiologist with a model of their own
// gets it for their reports (or its canary, for its share of them). The versions are copies of models/tiny-random under their registry names.
const run = randomUUID().slice(0, 8);
const shared = `radflow-tiny-route-${run}`;
const alice = { id: `RAD-ALICE-${run}`, system: 'urn:oid:1.2.840.99999.7' };
const aliceModel = radiologistModelName(shared, radiologistKey(alice));
// Carol has no model serving yet: her first one runs as a canary beside the shared model.
const carol = { id: `RAD-CAROL-${run}`, system: 'urn:oid:1.2.840.99999.7' };
const carolModel = radiologistModelName(shared, radiologistKey(carol));
const modelsRoot = mkdtempSync(join(tmpdir(), 'radflow-routing-models-'));
const REPORTS = 60;

/** A copy of the tiny model whose manifest names a registry name and version (what the retrainer's artifacts do). */
function modelCopy(name: string, version: string): string {
  const dir = mkdtempSync(join(modelsRoot, 'model-'));
  cpSync(join(repoRoot, 'models/tiny-random'), dir, { recursive: true });
  const manifestPath = join(dir, 'radflow-model.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, name, version }, null, 2));
  return dir;
}

const servingDir = modelCopy(shared, '1.0.0');
const config = loadConfig({
  ...process.env,
  KAFKA_GROUP_PREFIX: `e2e-routing-${run}`,
  // The topic holds every earlier run's reports: this run's enricher starts at its end (see the probe below).
  KAFKA_START_FROM: 'latest',
  MODEL_DIR: servingDir,
  RETRAIN_WORK_DIR: modelsRoot,
  FHIR_PRIOR_LOOKUP: 'false',
  INFERENCE_MAX_LOADED_MODELS: '3',
  ENRICHMENT_ROUTING_CACHE_MS: '1000',
  LOG_LEVEL: 'warn',
});
let database: Database;
let host: RunningHost;
let collector: EventCollector;

function report(accession: string, version: string, interpreter?: typeof alice): RadiologyReport {
  return {
    source: { kind: 'hl7v2', messageId: `MSG-${accession}-${version}` },
    reportId: `RPT-${accession}`,
    reportVersion: version,
    accession,
    // A patient of its own per accession: no prior report, so every report runs the same three model tasks.
    patient: { key: createHash('sha256').update(accession).digest('hex').slice(0, 16) },
    procedure: { code: '71046', system: 'CPT', text: 'XR Chest 2 Views' },
    status: version.startsWith('amended') ? 'amended' : 'final',
    text: 'FINDINGS: Mild cardiomegaly. Small left pleural effusion. IMPRESSION: Small effusion.',
    sections: {
      findings: 'Mild cardiomegaly. Small left pleural effusion.',
      impression: 'Small effusion.',
    },
    unusedContent: [],
    ...(interpreter ? { resultInterpreter: interpreter } : {}),
  } as RadiologyReport;
}

async function publish(reports: RadiologyReport[]): Promise<void> {
  for (const r of reports) {
    const event = createTopicEvent(
      Topics.reportFinalized,
      { report: r },
      { sourceMessageId: r.source.messageId, producer: 'e2e-routing' },
    );
    await collector.bus.publishEvent(Topics.reportFinalized, r.patient.key, event);
  }
}

/** The enriched events of these accessions (one per accession and report version). */
async function enriched(
  accessions: string[],
  reportVersion: string,
): Promise<Map<string, ReportEnrichedPayload>> {
  // Only this run's records are decoded: the topic holds every other run's events too.
  const ours = (r: ConsumedRecord) => {
    if (r.topic !== Topics.reportEnriched) return false;
    const text = r.value!.toString();
    return (
      text.includes(`"reportVersion":"${reportVersion}"`) &&
      accessions.some((a) => text.includes(`"accession":"${a}"`))
    );
  };
  const records = await collector.waitFor(ours, { count: accessions.length, timeoutMs: 180_000 });
  const payloads = records.map((r) => collector.bus.decodeEvent<ReportEnrichedPayload>(r).payload);
  return new Map(payloads.map((p) => [p.report.accession, p]));
}

/**
 * Model calls completed per loaded version, once they have settled (each session's counts come from its worker
 * thread just after its answers).
 */
async function loadedCounts(): Promise<Map<string, number>> {
  let last = await readCounts();
  for (let tries = 0; tries < 20; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const next = await readCounts();
    if ([...next].every(([key, n]) => last.get(key) === n) && next.size === last.size) return next;
    last = next;
  }
  return last;
}

async function readCounts(): Promise<Map<string, number>> {
  const response = await fetch(`http://127.0.0.1:${host.httpPort}/inference/ready`);
  const body = (await response.json()) as {
    model: { version: string };
    counts: { completed: number };
    loadedModels: { model: { name: string; version: string }; counts: { completed: number } }[];
  };
  return new Map([
    [`${shared}@${body.model.version}`, body.counts.completed],
    ...body.loadedModels.map((m): [string, number] => [
      `${m.model.name}@${m.model.version}`,
      m.counts.completed,
    ]),
  ]);
}

/** Model calls completed per version between two readings (a version not loaded at the first counts from 0). */
function delta(before: Map<string, number>, after: Map<string, number>): (key: string) => number {
  return (key) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
}

beforeAll(async () => {
  database = openDatabase(config.database.url);
  await migrate(database);
  const versions = new ModelVersions(database);
  const deployments = new ModelDeployments(database);
  await versions.register({ name: shared, version: '1.0.0', modelDir: servingDir, status: 'candidate' });
  await deployments.deploy(shared, '1.0.0', 'bootstrap', 'e2e routing');
  const canaryDir = modelCopy(shared, '1.1.0-canary');
  await versions.register({ name: shared, version: '1.1.0-canary', modelDir: canaryDir, status: 'shadow' });
  // The canary row as `radflow model promote --canary` writes it (model_canaries, migration 016).
  await database.query(
    `INSERT INTO model_canaries (name, version, share, started_by, reason) VALUES ($1, $2, 0.5, 'e2e', 'routing test')`,
    [shared, '1.1.0-canary'],
  );
  const aliceDir = modelCopy(aliceModel, '1.0.0-alice.1');
  await versions.register({
    name: aliceModel,
    version: '1.0.0-alice.1',
    modelDir: aliceDir,
    status: 'candidate',
  });
  await deployments.deploy(aliceModel, '1.0.0-alice.1', 'bootstrap', 'e2e routing');

  collector = await EventCollector.start([Topics.reportEnriched]);
  await collector.bus.createTopics([Topics.reportFinalized]);
  host = await startHost([inferenceApp, enricherApp], config, { httpPort: 0 });
  // Starting at the end, the enricher misses what is published before its group has its partitions: probe until a
  // report comes back enriched.
  for (let probe = 0; ; probe += 1) {
    const accession = `PROBE-${run}-${probe}`;
    await publish([report(accession, 'final:1')]);
    const seen = await collector
      .waitFor((r) => r.topic === Topics.reportEnriched && r.value!.toString().includes(`"PROBE-${run}-`), {
        timeoutMs: 3_000,
      })
      .then(
        () => true,
        () => false,
      );
    if (seen) break;
    if (probe > 40) throw new Error('the enricher never consumed a probe report');
  }
  // Probes published after the group joined are still on their way: let them land before the tests count model calls.
  const probes = () =>
    collector.records.filter(
      (r) => r.topic === Topics.reportEnriched && r.value!.toString().includes(`"PROBE-${run}-`),
    ).length;
  for (let seen = probes(); ;) {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    if (probes() === seen) break;
    seen = probes();
  }
}, 240_000);

afterAll(async () => {
  await host?.close();
  await collector?.stop();
  await database?.query('DELETE FROM model_canaries WHERE name = ANY($1)', [
    [shared, aliceModel, carolModel],
  ]);
  await database?.end();
  rmSync(modelsRoot, { recursive: true, force: true });
});

describe('model routing through the real enricher and inference apps', () => {
  const accessions = Array.from({ length: REPORTS }, (_, i) => `ROUTE-${run}-${i}`);
  const canaryAccessions = accessions.filter((a) => canaryPosition(a) < 0.5);

  it('serves the canary to about half the reports by accession hash, each event naming the version that drafted it', async () => {
    const before = await loadedCounts();
    await publish(accessions.map((a) => report(a, 'final:1')));
    const events = await enriched(accessions, 'final:1');
    expect(events.size).toBe(REPORTS);
    const byVersion = new Map<string, number>();
    for (const [accession, { enrichment }] of events) {
      expect(enrichment.degraded).toBe(false);
      const inShare = canaryPosition(accession) < 0.5;
      expect(enrichment.model).toEqual(
        inShare
          ? { name: shared, version: '1.1.0-canary', route: 'canary' }
          : { name: shared, version: '1.0.0', route: 'serving' },
      );
      byVersion.set(enrichment.model.version, (byVersion.get(enrichment.model.version) ?? 0) + 1);
    }
    // Both serve about half: 60 reports at p = 0.5 fall within 15..45 for either arm with odds of 1 in 10,000.
    console.log(
      `model routing: canary 1.1.0-canary drafted ${byVersion.get('1.1.0-canary')} of ${REPORTS} reports, serving 1.0.0 ${byVersion.get('1.0.0')}`,
    );
    expect(byVersion.get('1.1.0-canary')).toBe(canaryAccessions.length);
    expect(byVersion.get('1.1.0-canary')).toBeGreaterThanOrEqual(15);
    expect(byVersion.get('1.0.0')).toBeGreaterThanOrEqual(15);
    // The model service's own counts: each version ran at least the three tasks (impression, two label sets) of
    // each of its reports, and a version no report was routed to ran nothing. (At least, not exactly: this run's
    // enricher also drafts whatever other runs publish on the shared topic meanwhile, routed among the same versions.)
    const ran = delta(before, await loadedCounts());
    expect(ran(`${shared}@1.0.0`)).toBeGreaterThanOrEqual(3 * (REPORTS - canaryAccessions.length));
    expect(ran(`${shared}@1.1.0-canary`)).toBeGreaterThanOrEqual(3 * canaryAccessions.length);
    expect(ran(`${aliceModel}@1.0.0-alice.1`)).toBe(0);
  }, 240_000);

  it('gives an accession the same version again (an amended report)', async () => {
    const again = accessions.slice(0, 20);
    await publish(again.map((a) => report(a, 'amended:2')));
    const events = await enriched(again, 'amended:2');
    for (const accession of again)
      expect(events.get(accession)?.enrichment.model.version).toBe(
        canaryPosition(accession) < 0.5 ? '1.1.0-canary' : '1.0.0',
      );
  }, 240_000);

  it("drafts a radiologist's reports with their own model, canary share or not; everyone else's with the shared one", async () => {
    const hers = Array.from({ length: 6 }, (_, i) => `ALICE-${run}-${i}`);
    const bobs = Array.from({ length: 6 }, (_, i) => `BOB-${run}-${i}`);
    const bob = { id: `RAD-BOB-${run}`, system: alice.system };
    const before = await loadedCounts();
    await publish([
      ...hers.map((a) => report(a, 'final:1', alice)),
      ...bobs.map((a) => report(a, 'final:1', bob)),
    ]);
    const events = await enriched([...hers, ...bobs], 'final:1');
    for (const accession of hers)
      expect(events.get(accession)?.enrichment.model).toEqual({
        name: aliceModel,
        version: '1.0.0-alice.1',
        route: 'radiologist',
      });
    for (const accession of bobs) expect(events.get(accession)?.enrichment.model.name).toBe(shared);
    const ran = delta(before, await loadedCounts());
    expect(ran(`${aliceModel}@1.0.0-alice.1`)).toBeGreaterThanOrEqual(3 * hers.length);
    expect(ran(`${shared}@1.0.0`) + ran(`${shared}@1.1.0-canary`)).toBeGreaterThanOrEqual(3 * bobs.length);
  }, 240_000);

  it("serves a radiologist's canary a share of her reports by accession hash, and nobody else's", async () => {
    const nextDir = modelCopy(aliceModel, '1.0.0-alice.2');
    await new ModelVersions(database).register({
      name: aliceModel,
      version: '1.0.0-alice.2',
      modelDir: nextDir,
      status: 'shadow',
    });
    await database.query(
      `INSERT INTO model_canaries (name, version, share, started_by, reason) VALUES ($1, $2, 0.5, 'e2e', 'routing test')`,
      [aliceModel, '1.0.0-alice.2'],
    );
    // The enricher reads the routing table again once its cache (ENRICHMENT_ROUTING_CACHE_MS, 1 s) is stale.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const hers = Array.from({ length: 24 }, (_, i) => `ALICE2-${run}-${i}`);
    const others = Array.from({ length: 6 }, (_, i) => `OTHER2-${run}-${i}`);
    await publish([
      ...hers.map((a) => report(a, 'final:1', alice)),
      ...others.map((a) => report(a, 'final:1')),
    ]);
    const events = await enriched([...hers, ...others], 'final:1');
    for (const accession of hers)
      expect(events.get(accession)?.enrichment.model).toEqual(
        canaryPosition(accession) < 0.5
          ? { name: aliceModel, version: '1.0.0-alice.2', route: 'canary' }
          : { name: aliceModel, version: '1.0.0-alice.1', route: 'radiologist' },
      );
    const inCanary = hers.filter((a) => events.get(a)?.enrichment.model.version === '1.0.0-alice.2').length;
    // 24 reports at p = 0.5: both arms are empty with odds of 1 in 8 million.
    expect(inCanary).toBeGreaterThan(0);
    expect(inCanary).toBeLessThan(hers.length);
    for (const accession of others) {
      expect(events.get(accession)?.enrichment.model.name).toBe(shared);
      expect(events.get(accession)?.enrichment.model.version).not.toBe('1.0.0-alice.2');
    }
  }, 240_000);

  it("serves a radiologist's first model, a canary, its share of her reports; the shared model drafts the rest", async () => {
    await new ModelVersions(database).register({
      name: carolModel,
      version: '1.0.0-carol.1',
      modelDir: modelCopy(carolModel, '1.0.0-carol.1'),
      status: 'candidate',
    });
    // As a passed shadow period starts it: nothing of Carol's is deployed, the shared model serves beside it.
    await new ModelCanaries(database).start({
      name: carolModel,
      version: '1.0.0-carol.1',
      share: 0.5,
      startedBy: 'e2e',
      reason: 'routing test',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const hers = Array.from({ length: 24 }, (_, i) => `CAROL-${run}-${i}`);
    await publish(hers.map((a) => report(a, 'final:1', carol)));
    const events = await enriched(hers, 'final:1');
    // Outside her share, the shared canary's share (also 0.5 by the same position) cannot hold her reports either.
    for (const accession of hers)
      expect(events.get(accession)?.enrichment.model).toEqual(
        canaryPosition(accession) < 0.5
          ? { name: carolModel, version: '1.0.0-carol.1', route: 'canary' }
          : { name: shared, version: '1.0.0', route: 'serving' },
      );
    const inCanary = hers.filter((a) => events.get(a)?.enrichment.model.name === carolModel).length;
    expect(inCanary).toBeGreaterThan(0);
    expect(inCanary).toBeLessThan(hers.length);
  }, 240_000);

  it('routes the same way over HTTP (INFERENCE_URL): the body names the version, an unknown one falls back to serving', async () => {
    const runner = new HttpTaskRunner(`http://127.0.0.1:${host.httpPort}/inference`);
    const routed = (route: ModelRoute) => new RoutedModelClient(runner, async () => route);
    const r = report(`HTTP-${run}`, 'final:1');
    const canary = await routed({ name: shared, version: '1.1.0-canary', route: 'canary' }).draft(
      r,
      undefined,
      30_000,
    );
    expect(canary.model).toEqual({ name: shared, version: '1.1.0-canary', route: 'canary' });
    const hers = await routed({ name: aliceModel, version: '1.0.0-alice.1', route: 'radiologist' }).draft(
      r,
      undefined,
      30_000,
    );
    expect(hers.model).toEqual({ name: aliceModel, version: '1.0.0-alice.1', route: 'radiologist' });
    const fallbacks: string[] = [];
    const missing = await new RoutedModelClient(
      runner,
      async () => ({ name: shared, version: '9.9.9-never-registered', route: 'canary' }),
      { onFallback: (_report, _route, code) => fallbacks.push(code) },
    ).draft(r, undefined, 30_000);
    expect(missing.model).toEqual({ name: shared, version: '1.0.0', route: 'serving' });
    expect(fallbacks).toEqual(['MODEL_NOT_FOUND']);
  }, 120_000);
});
