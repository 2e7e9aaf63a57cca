import { readFileSync, readdirSync } from 'node:fs';
import { createSchemaAjv, eventSchemas } from '@radflow/schemas';
import { selectFinalizedChestXray, type RadiologyReport } from '@radflow/reports';
import { describe, expect, it } from 'vitest';
import { readHl7Messages } from './feed-reader.ts';
import { ackCodeOf } from './inbound-error-ack.ts';
import type { ReadOruOptions } from './oru-reader.ts';

interface Expected {
  description: string;
  readOptions: ReadOruOptions;
  issues: string[];
  messages: Array<
    | { outcome: 'error'; code: string; ackCode: string }
    | {
        outcome: 'reports';
        reports: RadiologyReport[];
        filter: Array<{ accepted: boolean; code?: string; matchedBy?: string }>;
      }
  >;
}

const dir = new URL('../../../test/fixtures/hl7/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.hl7'))
  .sort();
const validate = createSchemaAjv().getSchema(eventSchemas['radiology-report.v1']!.$id)!;

// Order of unusedContent entries is not meaningful; their set is.
const normalize = (report: RadiologyReport): RadiologyReport => ({
  ...report,
  unusedContent: [...report.unusedContent].sort((a, b) =>
    `${a.location}${a.reason}`.localeCompare(`${b.location}${b.reason}`),
  ),
});

describe('HL7 v2 fixture corpus', () => {
  it('holds at least 40 ORU^R01 reports in real-world variety, plus bad inputs', () => {
    const expectations = files.map(
      (f) =>
        JSON.parse(readFileSync(new URL(f.replace(/\.hl7$/, '.expected.json'), dir), 'utf8')) as Expected,
    );
    const reports = expectations.flatMap((e) => e.messages).filter((m) => m.outcome === 'reports');
    const errors = expectations.flatMap((e) => [
      ...e.messages.filter((m) => m.outcome === 'error').map((m) => m.code),
      ...e.issues,
    ]);
    expect(reports.length).toBeGreaterThanOrEqual(40);
    expect(new Set(errors)).toEqual(
      new Set([
        'TRUNCATED',
        'WRONG_MESSAGE_TYPE',
        'MISSING_SEGMENT',
        'BAD_ENCODING_CHARACTERS',
        'NOT_HL7',
        'OVERSIZED',
        'UNKNOWN_CHARSET',
        'UNSUPPORTED_VERSION',
        'MISSING_FIELD',
      ]),
    );
    const versions = new Set(
      reports.flatMap((m) => (m.outcome === 'reports' ? m.reports.map((r) => r.source.hl7Version) : [])),
    );
    expect([...versions].sort()).toEqual(['2.3', '2.3.1', '2.4', '2.5', '2.5.1']);
  });

  it.each(files)('%s', (file) => {
    const expected = JSON.parse(
      readFileSync(new URL(file.replace(/\.hl7$/, '.expected.json'), dir), 'utf8'),
    ) as Expected;
    const bytes = new Uint8Array(readFileSync(new URL(file, dir)));
    const { messages, issues } = readHl7Messages(bytes, expected.readOptions);

    expect(issues.map((i) => i.error.code)).toEqual(expected.issues);
    expect(messages).toHaveLength(expected.messages.length);
    messages.forEach(({ result }, i) => {
      const want = expected.messages[i]!;
      if (want.outcome === 'error') {
        expect(result.ok ? 'ok' : { code: result.error.code, ackCode: ackCodeOf(result.error.code) }).toEqual(
          {
            code: want.code,
            ackCode: want.ackCode,
          },
        );
        return;
      }
      if (!result.ok) throw new Error(`expected reports, got ${result.error.code}: ${result.error.reason}`);
      expect(result.reports.map(normalize)).toEqual(want.reports.map(normalize));
      for (const report of result.reports)
        expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
      const decisions = result.reports.map((r) => selectFinalizedChestXray(r));
      expect(
        decisions.map((d) =>
          d.accepted ? { accepted: true, matchedBy: d.matchedBy } : { accepted: false, code: d.code },
        ),
      ).toEqual(want.filter);
      for (const d of decisions) if (!d.accepted) expect(d.reason.length).toBeGreaterThan(10);
    });
  });
});
