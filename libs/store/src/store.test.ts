import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import type { RadiologyReport } from '@radflow/schemas';
import { IdempotencyLedger, ReportStore, migrate, openDatabase, type Database } from './index.ts';

// Integration test on the real PostgreSQL that infra/postgres.sh starts.
let database: Database;

beforeAll(async () => {
  database = openDatabase(loadConfig().database.url);
  await migrate(database);
});
afterAll(async () => database.end());

function report(patientKey: string, accession: string, reportedAt: string): RadiologyReport {
  return {
    source: { kind: 'hl7v2', messageId: `M-${accession}` },
    reportId: accession,
    reportVersion: `final-${reportedAt}`,
    accession,
    patient: { key: patientKey },
    procedure: { text: 'XR CHEST 2 VIEWS' },
    status: 'final',
    reportedAt,
    text: 'FINDINGS: Clear. IMPRESSION: Normal.',
    sections: {},
    unusedContent: [],
  };
}

describe('store on PostgreSQL', () => {
  it('migrations are idempotent', async () => {
    expect(await migrate(database)).toEqual([]);
  });

  it('the ledger runs work once per key', async () => {
    const ledger = new IdempotencyLedger(database);
    const key = randomUUID();
    let runs = 0;
    expect(await ledger.runOnce('test-consumer', key, async () => void runs++)).toBe(true);
    expect(await ledger.runOnce('test-consumer', key, async () => void runs++)).toBe(false);
    expect(runs).toBe(1);
    expect(await ledger.hasProcessed('test-consumer', key)).toBe(true);
  });

  it('finds the most recent prior report of the same patient', async () => {
    const store = new ReportStore(database);
    const patient = randomUUID().replaceAll('-', '');
    await store.save(report(patient, `A-${patient}-1`, '2024-01-01T10:00:00Z'));
    await store.save(report(patient, `A-${patient}-2`, '2024-03-01T10:00:00Z'));
    await store.save(report('f'.repeat(32), `A-${patient}-other`, '2024-03-15T10:00:00Z'));
    const current = report(patient, `A-${patient}-3`, '2024-04-01T10:00:00Z');
    const prior = await store.findPrior(current);
    expect(prior?.report.accession).toBe(`A-${patient}-2`);
    expect(await store.findPrior(report(patient, `A-${patient}-0`, '2023-01-01T00:00:00Z'))).toBeUndefined();
  });
});
