import { patientKey } from '@radflow/reports';
import { describe, expect, it } from 'vitest';
import { readOruR01 } from './oru-reader.ts';

const base = { maxBytes: 65536, patientKeySalt: 'unit-salt' };
const message = (obr: string, extra: string[] = [], msh18 = ''): string =>
  [
    `MSH|^~\\&|RIS|HOSP|RADFLOW|AI|20240105093000||ORU^R01|M1|P|2.4${msh18 ? `||||||${msh18}` : ''}`,
    'PID|1||123^^^HOSP^MR||DOE^JANE',
    obr,
    'OBX|1|TX|&GDT||FINDINGS: Clear lungs.||||||F',
    'OBX|2|TX|&GDT||IMPRESSION: Normal.||||||F',
    ...extra,
  ].join('\r') + '\r';

describe('readOruR01 options and choices', () => {
  it('takes the accession from the fields a sender uses, in the configured order', () => {
    const text = message(
      'OBR|1|PLACER1|FILLER1|71046^XR CHEST 2V^C4|||20240105081500|||||||||||ACC18||||20240105092900||CR|F',
    );
    const byDefault = readOruR01(text, base);
    const configured = readOruR01(text, { ...base, accessionFields: ['OBR-18', 'OBR-3'] });
    expect(byDefault.ok && byDefault.report.accession).toBe('FILLER1');
    expect(configured.ok && configured.report.accession).toBe('ACC18');
    expect(configured.ok && configured.report.reportId).toBe('FILLER1');
  });

  it('maps the assigning authority to a FHIR identifier system so HL7 and FHIR keys agree', () => {
    const result = readOruR01(message('OBR|1||F1|71046^XR CHEST^C4|||||||||||||||||||||F'), {
      ...base,
      identifierSystems: { HOSP: 'urn:oid:1.2.3' },
    });
    if (!result.ok) throw new Error(result.error.reason);
    expect(result.report.patient).toEqual({
      key: patientKey({ system: 'urn:oid:1.2.3', value: '123' }, 'unit-salt'),
      identifier: { system: 'urn:oid:1.2.3', value: '123' },
    });
  });

  it('reads the patient name (PID-5) only when asked, preferring the legal name', () => {
    const obr = 'OBR|1||F1|71046^XR CHEST^C4|||||||||||||||||||||F';
    const read = (pid5: string, keepPatientName = true) => {
      const result = readOruR01(message(obr).replace('||DOE^JANE', `||${pid5}`), {
        ...base,
        keepPatientName,
      });
      if (!result.ok) throw new Error(result.error.reason);
      return result.report.patient.name;
    };
    expect(read('DOE^JANE', false)).toBeUndefined();
    expect(read('DOE^JANE')).toEqual({ family: 'DOE', given: ['JANE'] });
    expect(read('DOE&VAN&DOE^JANE^Q R^JR^DR^^L')).toEqual({
      family: 'DOE',
      given: ['JANE', 'Q R'],
      suffix: 'JR',
      prefix: 'DR',
    });
    expect(read('JD^^^^^^A~O\\T\\BRIEN^ANN^^^^^L')).toEqual({ family: 'O&BRIEN', given: ['ANN'] });
    expect(read('~SMITH^JO')).toEqual({ family: 'SMITH', given: ['JO'] });
    expect(read('""')).toBeUndefined();
    expect(read('')).toBeUndefined();
  });

  it('lets a site override what an OBR-25 code means', () => {
    const text = message('OBR|1||F1|71046^XR CHEST^C4|||||||||||||||||||||A');
    const standard = readOruR01(text.replace(/\|F\r/g, '|P\r'), base);
    const overridden = readOruR01(text, { ...base, resultStatusMap: { A: 'partial' } });
    expect(standard.ok && standard.report.status).toBe('partial');
    expect(overridden.ok && overridden.report.status).toBe('partial');
    expect(
      readOruR01(text, base).ok && (readOruR01(text, base) as { report: { status: string } }).report.status,
    ).toBe('amended');
  });

  it('decodes bytes by MSH-18, and by the fallback when MSH-18 is empty', () => {
    const latin = Buffer.from(
      message('OBR|1||F1|71046^XR CHEST^C4|||||||||||||||||||||F', ['OBX|3|TX|&GDT||Côte||||||F']),
      'latin1',
    );
    const declared = readOruR01(
      new Uint8Array(
        Buffer.from(
          message(
            'OBR|1||F1|71046^XR CHEST^C4|||||||||||||||||||||F',
            ['OBX|3|TX|&GDT||Côte||||||F'],
            '8859/1',
          ),
          'latin1',
        ),
      ),
      base,
    );
    const fallback = readOruR01(new Uint8Array(latin), { ...base, charsetFallback: 'ISO-8859-1' });
    const notUtf8 = readOruR01(new Uint8Array(latin), base);
    for (const result of [declared, fallback, notUtf8])
      expect(result.ok && result.report.text.endsWith('Côte')).toBe(true);
  });

  it('reads a v2.3 message whose MSH-9 has no trigger event', () => {
    const text = message('OBR|1||F1|71046^XR CHEST^C4|||||||||||||||||||||F').replace('ORU^R01', 'ORU');
    expect(readOruR01(text, base).ok).toBe(true);
  });

  it('refuses a batch or several messages given as one', () => {
    const one = message('OBR|1||F1|71046^XR CHEST^C4|||||||||||||||||||||F');
    const two = readOruR01(one + one, base);
    expect(two.ok ? 'ok' : two.error.code).toBe('WRONG_MESSAGE_TYPE');
    const batch = readOruR01(`BHS|^~\\&\r${one}BTS|1\r`, base);
    expect(batch.ok ? 'ok' : batch.error.code).toBe('WRONG_MESSAGE_TYPE');
  });

  it('re-joins report text a sender broke with raw line feeds inside OBX-5', () => {
    const text = message('OBR|1||F1|71046^XR CHEST^C4|||||||||||||||||||||F').replace(
      'Clear lungs.',
      'Clear lungs.\nNo effusion.',
    );
    const result = readOruR01(text, base);
    expect(result.ok && result.report.sections.findings).toBe('Clear lungs.\nNo effusion.');
  });

  it('insists on a salt', () => {
    expect(() => readOruR01('MSH|^~\\&|', { ...base, patientKeySalt: '' })).toThrow(/salt/i);
  });
});
