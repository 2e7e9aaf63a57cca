import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '@medplum/fhirtypes';
import { Topics } from '@radflow/events';
import { IdentifierSystems, LabelKindSystems } from '@radflow/fhir';
import type { RunningHost } from '@radflow/platform';
import { openDatabase, type Database } from '@radflow/store';
import { WRITEBACK_CONSUMER } from '@radflow/writeback';
import { EventCollector } from '../support/event-collector.ts';
import {
  enrichedEvent,
  enrichedReport,
  newWritebackRun,
  publishEnriched,
  startWriteback,
  token,
  waitUntilConsumed,
} from './writeback-harness.ts';

const REPORTS = 100;
const { run, config, fhir, patientKey } = newWritebackRun();
let host: RunningHost;
let collector: EventCollector;
let database: Database;
let patient = '';

beforeAll(async () => {
  database = openDatabase(config.database.url);
  collector = await EventCollector.start([Topics.outboundHl7v2]);
  [patient] = (await fhir.create([
    {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: `MRN-${run}` }],
    },
  ])) as [string];
  host = await startWriteback(config, collector.bus);
});

afterAll(async () => {
  await host?.close();
  await collector?.stop();
  await database?.end();
});

const orusOfRun = () =>
  collector.records.filter(
    (r) => r.topic === Topics.outboundHl7v2 && r.headers['radflow-trace-id']?.startsWith(`${run}:`),
  );

async function countsOfRun() {
  const [device] = await fhir.search<Device>(
    `Device?identifier=${token(IdentifierSystems.model, `radflow-cxr-small@0.3.1-${run}`)}`,
  );
  return {
    devices: await fhir.count(
      `Device?identifier=${token(IdentifierSystems.model, `radflow-cxr-small@0.3.1-${run}`)}`,
    ),
    reports: await fhir.count(
      `DiagnosticReport?subject=${patient}&_tag=${token('urn:radflow:tag', 'ai-generated')}`,
    ),
    pneumothorax: await fhir.count(
      `Observation?subject=${patient}&code=${token(LabelKindSystems.abnormality, 'pneumothorax')}`,
    ),
    effusion: await fhir.count(
      `Observation?subject=${patient}&code=${token(LabelKindSystems.abnormality, 'pleural effusion')}`,
    ),
    tasks: await fhir.count(`Task?subject=${patient}`),
    provenances: await fhir.count(`Provenance?agent=Device/${device?.id}`),
  };
}

describe('replaying the same enriched reports', () => {
  it(`leaves exactly ${REPORTS} of each resource after the same ${REPORTS} reports arrive twice, and again after the ledger is lost`, async () => {
    const payloads = Array.from({ length: REPORTS }, (_, index) =>
      enrichedReport(run, { index, patient: { key: patientKey, fhirReference: patient } }),
    );
    // The same events twice (a producer retry, a re-published topic): the ledger recognises the second copies.
    const events = payloads.map((payload) => enrichedEvent(run, payload));
    await publishEnriched(collector.bus, [...events, ...events]);
    await collector.waitFor(
      (r) =>
        r.topic === Topics.outboundHl7v2 && r.headers['radflow-trace-id']?.startsWith(`${run}:`) === true,
      { count: REPORTS },
    );
    await waitUntilConsumed(config);
    expect(orusOfRun()).toHaveLength(REPORTS);
    const expected = {
      devices: 1,
      reports: REPORTS,
      pneumothorax: REPORTS,
      effusion: REPORTS,
      tasks: REPORTS,
      provenances: REPORTS,
    };
    expect(await countsOfRun()).toEqual(expected);

    // The ledger lost (a crash after the FHIR write, before the ledger row): only conditional creates stand
    // between a replay and duplicates on the server.
    const deleted = await database.query(
      'DELETE FROM processed_events WHERE consumer = $1 AND idempotency_key LIKE $2',
      [WRITEBACK_CONSUMER, `WB-${run}-%`],
    );
    expect(deleted.rowCount).toBe(REPORTS);
    await publishEnriched(
      collector.bus,
      payloads.map((payload) => enrichedEvent(run, payload)),
    );
    await collector.waitFor(
      (r) =>
        r.topic === Topics.outboundHl7v2 && r.headers['radflow-trace-id']?.startsWith(`${run}:`) === true,
      { count: 2 * REPORTS },
    );
    await waitUntilConsumed(config);
    expect(await countsOfRun()).toEqual(expected);

    // The ORU of a replay repeats its control id, so the RIS can drop the duplicate.
    const controlIds = new Set(
      orusOfRun().map(
        (r) => /MSH\|[^\r]*?\|ORU\^R01\^ORU_R01\|([^|]+)\|/.exec(r.value!.toString('utf8'))?.[1],
      ),
    );
    expect(controlIds.size).toBe(REPORTS);
  });
});
