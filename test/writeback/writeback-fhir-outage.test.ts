import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnosticReport } from '@medplum/fhirtypes';
import { Topics } from '@radflow/events';
import { WRITEBACK_KEY_TAG_SYSTEM, writebackKey } from '@radflow/fhir';
import type { RunningHost } from '@radflow/platform';
import { openDatabase, type Database } from '@radflow/store';
import { WRITEBACK_CONSUMER } from '@radflow/writeback';
import { EventCollector } from '../support/event-collector.ts';
import {
  enrichedEvent,
  enrichedReport,
  fhirServer,
  newWritebackRun,
  publishEnriched,
  startWriteback,
  token,
  waitUntilConsumed,
} from './writeback-harness.ts';

const REPORTS = 10;
const { run, config, fhir, patientKey } = newWritebackRun();
let host: RunningHost;
let collector: EventCollector;
let database: Database;

beforeAll(async () => {
  database = openDatabase(config.database.url);
  collector = await EventCollector.start([Topics.outboundHl7v2]);
  host = await startWriteback(config, collector.bus);
});

afterAll(async () => {
  await fhirServer('start'); // whatever happened, leave the shared server running
  await host?.close();
  await collector?.stop();
  await database?.end();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const orusOfRun = () =>
  collector.records.filter(
    (r) => r.topic === Topics.outboundHl7v2 && r.headers['radflow-trace-id']?.startsWith(`${run}:`),
  );

describe('a FHIR server that is down for a while', () => {
  it('loses nothing: every report produced during the outage is on the server once it is back', async () => {
    // HL7-sourced reports: they name patient and source by identifier, so they need nothing that the
    // in-memory server forgets when it restarts.
    const payloads = Array.from({ length: REPORTS }, (_, index) =>
      enrichedReport(run, { index, patient: { key: patientKey } }),
    );
    await fhirServer('stop');
    await publishEnriched(
      collector.bus,
      payloads.map((payload) => enrichedEvent(run, payload)),
    );
    await sleep(8_000);

    // Down: nothing written, nothing told to the RIS, nothing recorded as done, offsets not committed.
    expect(orusOfRun()).toHaveLength(0);
    const ledger = await database.query(
      'SELECT 1 FROM processed_events WHERE consumer = $1 AND idempotency_key LIKE $2',
      [WRITEBACK_CONSUMER, `WB-${run}-%`],
    );
    expect(ledger.rowCount).toBe(0);
    await expect(waitUntilConsumed(config, 1_000)).rejects.toThrow(/behind/);

    await fhirServer('start');
    await collector.waitFor(
      (r) =>
        r.topic === Topics.outboundHl7v2 && r.headers['radflow-trace-id']?.startsWith(`${run}:`) === true,
      {
        count: REPORTS,
        timeoutMs: 60_000,
      },
    );
    await waitUntilConsumed(config);
    for (const payload of payloads) {
      const [report] = await fhir.search<DiagnosticReport>(
        `DiagnosticReport?_tag=${token(WRITEBACK_KEY_TAG_SYSTEM, writebackKey(payload))}`,
      );
      expect(report?.status, payload.report.accession).toBe('preliminary');
      expect(report?.subject?.identifier?.value).toBe(`MRN-${run}`);
    }
    expect(orusOfRun()).toHaveLength(REPORTS);
  });
});
