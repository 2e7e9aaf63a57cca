import { readFileSync } from 'node:fs';
import { createSchemaAjv, eventSchemas } from '@radflow/schemas';
import { describe, expect, it } from 'vitest';
import { readDiagnosticReportEvent } from './diagnostic-report-reader.ts';
import { PRACTITIONER_REFERENCE_SYSTEM } from './results-interpreter.ts';

const dir = new URL('../../../../test/fixtures/fhir/', import.meta.url);
const options = { patientKeySalt: 'unit-salt', maxBytes: 262144 };
const validate = createSchemaAjv().getSchema(eventSchemas['radiology-report.v1']!.$id)!;
const sample = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Record<string, unknown>;

/** The US Core chest X-ray sample's report, with `resultsInterpreter` (and any extra fields) as given. */
function uscoreWith(resultsInterpreter: unknown, extra: Record<string, unknown> = {}) {
  return { ...sample('dr-uscore-style-xhtml-portable.json'), resultsInterpreter, ...extra };
}

function interpreterOf(resource: unknown) {
  const result = readDiagnosticReportEvent(JSON.stringify(resource), options);
  if (!result.ok) throw new Error(result.error.reason);
  const report = result.reports[0]!;
  expect(validate(report)).toBe(true);
  return report.resultInterpreter;
}

describe('DiagnosticReport.resultsInterpreter', () => {
  it('reads the id part of a literal Practitioner reference, as the US Core example sends it, never the display', () => {
    const interpreter = interpreterOf(
      uscoreWith([{ reference: 'Practitioner/practitioner-1', display: 'Dr Ronald Bone' }]),
    );
    expect(interpreter).toEqual({ id: 'practitioner-1', system: PRACTITIONER_REFERENCE_SYSTEM });
    expect(JSON.stringify(interpreter)).not.toMatch(/Ronald|Bone/);
  });

  it('reads absolute and versioned references to the same id', () => {
    for (const reference of [
      'https://ehr.example.org/fhir/Practitioner/practitioner-1',
      'Practitioner/practitioner-1/_history/3',
    ])
      expect(interpreterOf(uscoreWith([{ reference }]))).toEqual({
        id: 'practitioner-1',
        system: PRACTITIONER_REFERENCE_SYSTEM,
      });
  });

  it('prefers a logical reference (reference.identifier) with its system', () => {
    expect(
      interpreterOf(
        uscoreWith([
          {
            reference: 'Practitioner/practitioner-1',
            identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' },
            display: 'Dr Ronald Bone',
          },
        ]),
      ),
    ).toEqual({ id: '1234567893', system: 'http://hl7.org/fhir/sid/us-npi' });
  });

  it('reads a contained Practitioner’s identifier, not its event-local id', () => {
    const contained = [
      {
        resourceType: 'Practitioner',
        id: 'rad',
        identifier: [{ system: 'urn:oid:1.2.3.4', value: 'R123' }],
        name: [{ family: 'Bone', given: ['Ronald'] }],
      },
    ];
    expect(interpreterOf(uscoreWith([{ reference: '#rad' }], { contained }))).toEqual({
      id: 'R123',
      system: 'urn:oid:1.2.3.4',
    });
  });

  it('reads a Practitioner a transaction Bundle holds under a urn:uuid by its identifier', () => {
    const bundle = sample('bundle-transaction.json') as { entry: Array<Record<string, unknown>> };
    const practitionerUrl = 'urn:uuid:00000000-0000-4000-8000-000000000999';
    bundle.entry.push({
      fullUrl: practitionerUrl,
      resource: { resourceType: 'Practitioner', identifier: [{ value: 'R55' }] },
    });
    const dr = bundle.entry[0]!.resource as Record<string, unknown>;
    dr.resultsInterpreter = [{ reference: practitionerUrl }];
    expect(interpreterOf(bundle)).toEqual({ id: 'R55' });
  });

  it('takes the first interpreter that names a Practitioner by id', () => {
    expect(
      interpreterOf(
        uscoreWith([
          { display: 'Dr Ronald Bone' },
          { reference: 'Organization/radiology' },
          { reference: 'PractitionerRole/reading-1' },
          { reference: 'Practitioner/second' },
        ]),
      ),
    ).toEqual({ id: 'second', system: PRACTITIONER_REFERENCE_SYSTEM });
  });

  it.each([
    ['absent', undefined],
    ['not an array', { reference: 'Practitioner/1' }],
    ['empty', []],
    ['display only', [{ display: 'Dr Ronald Bone' }]],
    ['a CareTeam', [{ reference: 'CareTeam/night' }]],
    ['an identifier typed as an Organization', [{ type: 'Organization', identifier: { value: 'ORG1' } }]],
    ['an unresolvable contained reference', [{ reference: '#missing' }]],
    ['an identifier with spaces (a name)', [{ identifier: { value: 'Ronald Bone' } }]],
    ['garbage types', [42, null, 'Practitioner/1', { reference: 7, identifier: 'R1' }]],
    ['an overlong identifier', [{ identifier: { value: 'X'.repeat(65) } }]],
  ])('is absent, never an error, when resultsInterpreter is %s', (_, value) => {
    expect(interpreterOf(uscoreWith(value))).toBeUndefined();
  });

  it('never fails a report whatever resultsInterpreter holds (seeded random structures)', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const pick = <T>(items: readonly T[]): T => items[next() % items.length]!;
    const strings = [
      '',
      ' ',
      'R1',
      'Practitioner/p-1',
      '#rad',
      'urn:uuid:x',
      'Dr Bone',
      'R\u00011',
      'X'.repeat(70),
    ];
    const value = (depth: number): unknown => {
      switch (next() % 6) {
        case 0:
          return pick(strings);
        case 1:
          return next() % 100;
        case 2:
          return null;
        case 3:
          return depth > 2 ? [] : Array.from({ length: next() % 3 }, () => value(depth + 1));
        default:
          return depth > 2
            ? {}
            : Object.fromEntries(
                ['reference', 'identifier', 'type', 'value', 'system', 'display']
                  .filter(() => next() % 2 === 0)
                  .map((k) => [k, value(depth + 1)]),
              );
      }
    };
    for (let i = 0; i < 300; i++) {
      const result = readDiagnosticReportEvent(JSON.stringify(uscoreWith(value(0))), options);
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      const report = result.reports[0]!;
      expect(validate(report)).toBe(true);
      if (report.resultInterpreter) expect(report.resultInterpreter.id).toMatch(/^\S{1,64}$/);
    }
  });
});
