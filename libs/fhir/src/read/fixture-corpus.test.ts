import { readFileSync, readdirSync } from 'node:fs';
import { createSchemaAjv, eventSchemas } from '@radflow/schemas';
import { selectFinalizedChestXray, type RadiologyReport } from '@radflow/reports';
import { describe, expect, it } from 'vitest';
import { readDiagnosticReportEvent, type ReadFhirOptions } from './diagnostic-report-reader.ts';

type Expected = { description: string; readOptions: ReadFhirOptions } & (
  | {
      outcome: 'reports';
      reports: RadiologyReport[];
      unresolved: string[];
      notificationType?: string;
      filter: Array<{ accepted: boolean; code?: string; matchedBy?: string }>;
    }
  | { outcome: 'error'; code: string }
);

const dir = new URL('../../../../test/fixtures/fhir/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
  .sort();
const validate = createSchemaAjv().getSchema(eventSchemas['radiology-report.v1']!.$id)!;
const expectedOf = (file: string): Expected =>
  JSON.parse(readFileSync(new URL(file.replace(/\.json$/, '.expected.json'), dir), 'utf8')) as Expected;
const normalize = (report: RadiologyReport): RadiologyReport => ({
  ...report,
  unusedContent: [...report.unusedContent].sort((a, b) =>
    `${a.location}${a.reason}`.localeCompare(`${b.location}${b.reason}`),
  ),
});

describe('FHIR DiagnosticReport fixture corpus', () => {
  it('holds at least 20 DiagnosticReport inputs plus bad ones', () => {
    const all = files.map(expectedOf);
    const withReports = all.filter((e) => e.outcome === 'reports' && e.reports.length > 0);
    expect(withReports.length).toBeGreaterThanOrEqual(20);
    expect(new Set(all.flatMap((e) => (e.outcome === 'error' ? [e.code] : [])))).toEqual(
      new Set(['INVALID_JSON', 'WRONG_RESOURCE_TYPE', 'INVALID_FHIR', 'MISSING_FIELD', 'OVERSIZED']),
    );
  });

  it.each(files)('%s', (file) => {
    const expected = expectedOf(file);
    const result = readDiagnosticReportEvent(
      new Uint8Array(readFileSync(new URL(file, dir))),
      expected.readOptions,
    );
    if (expected.outcome === 'error') {
      expect(result.ok ? 'ok' : result.error.code).toBe(expected.code);
      if (!result.ok) expect(result.error.reason.length).toBeGreaterThan(5);
      return;
    }
    if (!result.ok) throw new Error(`expected reports, got ${result.error.code}: ${result.error.reason}`);
    expect(result.reports.map(normalize)).toEqual(expected.reports.map(normalize));
    expect(result.unresolved).toEqual(expected.unresolved);
    expect(result.notification?.type).toBe(expected.notificationType);
    for (const report of result.reports) expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const decisions = result.reports.map((r) => selectFinalizedChestXray(r));
    expect(
      decisions.map((d) =>
        d.accepted ? { accepted: true, matchedBy: d.matchedBy } : { accepted: false, code: d.code },
      ),
    ).toEqual(expected.filter);
  });
});
