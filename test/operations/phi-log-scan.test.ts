import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, logHash, repoRoot, type DestinationStream } from '@radflow/config';
import { Topics } from '@radflow/events';
import { MllpListener } from '@radflow/gateway';
import { startHost, type RunningHost } from '@radflow/platform';
import { allApps } from '../../apps/cli/src/app-catalog.ts';
import { EventCollector } from '../support/event-collector.ts';
import { sendOverMllp } from '../support/mllp-client.ts';
import { seededFhirReport, seededHl7Report, type SeededReport } from '../support/phi-samples.ts';

/**
 * Issue 17: no identifier reaches a log. Reports seeded with made-up patient and physician names, MRNs, accession
 * and order numbers (and, in FHIR, an SSN) go through the whole pipeline (MLLP and the FHIR REST endpoint → gateway → ingest → enricher with the model → writeback to
 * FHIR and the outbound ORU; every other app of the embedded default reads along), all in one host at debug level,
 * every line captured through the host's log destination; not one line may hold a seeded string.
 */
const config = loadConfig({
  ...process.env,
  KAFKA_GROUP_PREFIX: `e2e-phi-${randomUUID().slice(0, 8)}`,
  KAFKA_START_FROM: 'latest',
  GATEWAY_HTTP_PORT: '0',
  GATEWAY_MLLP_PORT: '0',
  WORKLIST_PORT: '0',
  WORKLIST_SESSION_SECRET: randomUUID(),
  MODEL_DIR: `${repoRoot}models/tiny-random`,
  LOG_LEVEL: 'debug',
});

/** Every line the host writes, as pino hands it to its destination. */
const lines: string[] = [];
const capture: DestinationStream = {
  write(chunk: string) {
    for (const line of chunk.split('\n')) if (line.trim() !== '') lines.push(line);
  },
};

const first = seededHl7Report('03-icu-lines-first.hl7');
const reports: SeededReport[] = [
  seededHl7Report('02-pneumothorax-stat.hl7'),
  seededHl7Report('01-normal-pa-lateral.hl7'),
  first,
  seededHl7Report('04-icu-lines-followup.hl7', first),
];
const overFhir = seededFhirReport();
const seeded = [...new Set([...reports, overFhir].flatMap((r) => r.phi))];

let host: RunningHost;
let collector: EventCollector;

beforeAll(async () => {
  collector = await EventCollector.start([Topics.outboundHl7v2]);
  // Every app the embedded default runs (radflow serve), as it runs them: in one host.
  host = await startHost(allApps, config, { processName: 'e2e-phi', logDestination: capture });
  const port = host.app.get(MllpListener).port;
  for (const report of reports) {
    expect(await sendOverMllp(port, report.bytes)).toContain('MSA|AA');
    // The follow-up's prior must be stored first, so that the prior comparison runs (and logs) too.
    await collector.waitFor(
      (r) => r.topic === Topics.outboundHl7v2 && r.value!.toString('latin1').includes(report.accession),
    );
  }
  // A FHIR report over the gateway's REST endpoint, with its patient's name, SSN and MRN.
  const posted = await fetch(`http://127.0.0.1:${host.httpPort}/v1/fhir`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json' },
    body: overFhir.bytes,
  });
  expect(posted.status).toBe(202);
  await collector.waitFor(
    (r) => r.topic === Topics.outboundHl7v2 && r.value!.toString('latin1').includes(overFhir.accession),
  );
}, 240_000);

afterAll(async () => {
  await host?.close();
  await collector?.stop();
  // Kept for the reader: what was scanned (hashes and ids only, if this test passed).
  mkdirSync(`${repoRoot}.cache/phi-log-scan`, { recursive: true });
  writeFileSync(`${repoRoot}.cache/phi-log-scan/lines.jsonl`, `${lines.join('\n')}\n`);
});

describe('log lines of every app over a full pipeline run', () => {
  it('captured lines about these reports (so a leak would be seen)', () => {
    expect(lines.length).toBeGreaterThan(20);
    const apps = new Set(lines.map((line) => (JSON.parse(line) as { stage?: string }).stage).filter(Boolean));
    for (const stage of ['ingest', 'enricher', 'writeback']) expect(apps).toContain(stage);
    // Each report is named in the logs, by its keyed hash.
    for (const report of [...reports, overFhir])
      expect(lines.some((line) => line.includes(logHash(report.accession)))).toBe(true);
  });

  it('holds no seeded name, MRN, accession or order number: 0 hits', () => {
    const hits = lines.flatMap((line) =>
      seeded
        .filter((value) => line.toLowerCase().includes(value.toLowerCase()))
        .map((value) => ({ value, line })),
    );
    expect(seeded).toHaveLength(4 * 6 - 3 + 7); // the follow-up shares its patient's names and MRN
    expect(hits).toEqual([]);
  });
});
