import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import { enricherApp } from '@radflow/enricher';
import { Topics } from '@radflow/events';
import { gatewayApp, MllpListener } from '@radflow/gateway';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RunningHost } from '@radflow/platform';
import { retrainerApp } from '@radflow/retrainer';
import { FeedbackStore, openDatabase, type Database } from '@radflow/store';
import { EventCollector } from '../support/event-collector.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';
import { sendOverMllp } from '../support/mllp-client.ts';

// Implicit feedback with the enricher running in the same host: the amended report is enriched too (its own
// enrichment lands in the store while the retrainer reads it), and still every draft/signed pair is kept.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let host: RunningHost;
let collector: EventCollector;
let database: Database;

beforeAll(async () => {
  mkdirSync(join(repoRoot, '.cache/retrainer-e2e'), { recursive: true });
  Object.assign(process.env, {
    RETRAIN_WORK_DIR: mkdtempSync(join(repoRoot, '.cache/retrainer-e2e/implicit-')),
    RETRAIN_MIN_NEW_EXAMPLES: '100000', // pairing only: no retraining run in this test
    RETRAINER_HTTP_PORT: '0',
  });
  const config = loadConfig({
    ...process.env,
    KAFKA_GROUP_PREFIX: `e2e-implicit-${randomUUID()}`,
    // Fresh groups start at the topics' ends (positioned before they join): this test publishes only once its host is
    // up, and replaying what earlier runs left on the long-lived broker cost minutes per file.
    KAFKA_START_FROM: 'latest',
    GATEWAY_HTTP_PORT: '0',
    GATEWAY_MLLP_PORT: '0',
    LOG_LEVEL: 'warn',
  });
  database = openDatabase(config.database.url, 2);
  collector = await EventCollector.start([Topics.reportEnriched]);
  host = await startHost([gatewayApp, ingestApp, enricherApp, retrainerApp], config);
});

afterAll(async () => {
  await host?.close();
  await collector?.stop();
  await database?.end();
});

/** The same report signed again later with another impression (HL7 result status C, new result time). */
function amended(signed: { bytes: Buffer; controlId: string }, impression: string) {
  const text = signed.bytes
    .toString('latin1')
    .replace(`|${signed.controlId}|`, `|${signed.controlId}-C|`)
    .replace('|20250110081400||CR|F', '|20250110091400||CR|C')
    .replace(/IMPRESSION: [^|]*/, `IMPRESSION: ${impression}`)
    .replace(/\|\|\|\|\|\|F(\r|$)/g, '||||||C$1');
  return { bytes: Buffer.from(text, 'latin1'), controlId: `${signed.controlId}-C` };
}

describe('implicit feedback with the enricher in the same host', () => {
  it('pairs the first version draft with the amended impression for every report, none lost', async () => {
    const port = host.app.get(MllpListener).port;
    const tag = randomUUID().slice(0, 8);
    const samples = [0, 1, 2].map((i) => uniqueHl7Sample('01-normal-pa-lateral.hl7', `${tag}${i}`));
    for (const sample of samples) expect(await sendOverMllp(port, sample.bytes)).toMatch(/MSA\|AA\|/);
    for (const sample of samples)
      await collector.waitFor(
        (r) =>
          r.topic === Topics.reportEnriched &&
          r.value!.toString().includes(`"accession":"${sample.accession}"`),
      );
    const correction = 'Mild thoracic scoliosis. No acute cardiopulmonary abnormality.';
    for (const sample of samples) {
      const ack = await sendOverMllp(port, amended(sample, correction).bytes);
      expect(ack).toMatch(/MSA\|AA\|/);
    }
    // Both versions enriched: the amended version's own enrichment is in the store beside the draft.
    for (const sample of samples)
      await collector.waitFor(
        (r) =>
          r.topic === Topics.reportEnriched &&
          r.value!.toString().includes(`"accession":"${sample.accession}"`),
        { count: 2 },
      );
    const feedback = new FeedbackStore(database);
    const deadline = Date.now() + 60_000;
    let pairs: Awaited<ReturnType<FeedbackStore['forAccession']>>[] = [];
    while (Date.now() < deadline) {
      pairs = await Promise.all(samples.map((s) => feedback.forAccession(s.accession)));
      if (pairs.every((p) => p.length > 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    for (const rows of pairs) {
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ source: 'implicit', output: 'impression', correctedText: correction });
    }
  });
});
