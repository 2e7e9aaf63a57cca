import { readFileSync } from 'node:fs';
import { createSchemaAjv, eventSchemas } from '@radflow/schemas';
import { describe, expect, it } from 'vitest';
import { readOruR01, type ReadOruOptions } from './oru-reader.ts';

const base = { maxBytes: 65536, patientKeySalt: 'unit-salt' };
const fixtures = new URL('../../../test/fixtures/hl7/', import.meta.url);
const validate = createSchemaAjv().getSchema(eventSchemas['radiology-report.v1']!.$id)!;

/** A v2.5.1 ORU^R01 whose OBR-32 is `obr32` (raw, delimiters as written). */
const message = (obr32: string): string =>
  [
    'MSH|^~\\&|RIS|HOSP|RADFLOW|AI|20240105093000||ORU^R01|M1|P|2.5.1',
    'PID|1||123^^^HOSP^MR||DOE^JANE',
    `OBR|1||F1|71046^XR CHEST 2V^C4|||20240105081500|||||||||||||||20240105092900||CR|F|||||||${obr32}`,
    'OBX|1|TX|&GDT||FINDINGS: Clear lungs.||||||F',
    'OBX|2|TX|&GDT||IMPRESSION: Normal.||||||F',
  ].join('\r') + '\r';

function interpreterOf(text: string | Uint8Array, options: Partial<ReadOruOptions> = {}) {
  const result = readOruR01(text, { ...base, ...options });
  if (!result.ok) throw new Error(result.error.reason);
  expect(validate(result.report)).toBe(true);
  return result.report.resultInterpreter;
}

describe('OBR-32 principal result interpreter', () => {
  it('reads the id of a PowerScribe sample (9999&READER&RITA) and never the name parts', () => {
    const bytes = new Uint8Array(readFileSync(new URL('powerscribe-v2.4-crlf.hl7', fixtures)));
    const interpreter = interpreterOf(bytes);
    expect(interpreter).toEqual({ id: '9999' });
    expect(JSON.stringify(interpreter)).not.toMatch(/READER|RITA/);
  });

  it('leaves it absent for an Epic sample that names the radiologist without an id (&RADIOLOGIST&ANNE)', () => {
    const bytes = new Uint8Array(readFileSync(new URL('epic-v2.3-comparison-dates.hl7', fixtures)));
    expect(interpreterOf(bytes)).toBeUndefined();
  });

  it('carries the CNN assigning authority (namespace, else universal id) as the system, mapped like PID-3', () => {
    expect(interpreterOf(message('R123&SMITH&JOHN&&&&MD&&RADGRP'))).toEqual({ id: 'R123', system: 'RADGRP' });
    expect(interpreterOf(message('R123&SMITH&JOHN&&&&&&&1.2.840.99&ISO'))).toEqual({
      id: 'R123',
      system: '1.2.840.99',
    });
    expect(
      interpreterOf(message('R123&SMITH&JOHN&&&&&&RADGRP'), {
        identifierSystems: { RADGRP: 'urn:oid:1.2.3.4' },
      }),
    ).toEqual({ id: 'R123', system: 'urn:oid:1.2.3.4' });
  });

  it('reads the id of senders that write the XCN habit (id^family^given), not their name', () => {
    expect(interpreterOf(message('R77^SMITH^JOHN^^^DR'))).toEqual({ id: 'R77' });
  });

  it('decodes escapes in the id', () => {
    expect(interpreterOf(message('R\\T\\7&SMITH'))).toEqual({ id: 'R&7' });
  });

  it.each([
    ['missing', ''],
    ['empty component', '^^'],
    ['the v2 null', '""'],
    ['a name with no id', '&SMITH&JOHN'],
    ['free text in the id place', 'DR JOHN SMITH'],
    ['an overlong value', 'X'.repeat(65)],
    ['a control character', 'R1\u0001&SMITH'],
    ['only a start date', '^20240105'],
  ])('is absent, never an error, for %s', (_, obr32) => {
    expect(interpreterOf(message(obr32))).toBeUndefined();
  });

  it('never fails a report whatever OBR-32 holds (random bytes in the field)', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const alphabet = 'AZaz09&^~\\ .-"\u0001é';
    for (let i = 0; i < 300; i++) {
      const length = next() % 40;
      const value = Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
      const result = readOruR01(message(value), base);
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      expect(validate(result.report)).toBe(true);
      const id = result.report.resultInterpreter?.id;
      if (id !== undefined) expect(id).toMatch(/^\S{1,64}$/);
    }
  });
});
