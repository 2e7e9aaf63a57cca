import type { Bundle } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { enrichedFixture } from './enriched-fixture.testing.ts';
import { referenceLookupBundle, referenceTargetsFrom } from './reference-targets.ts';

const searchset = (...ids: string[]) => ({
  response: { status: '200 OK' },
  resource: {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: ids.map((id) => ({
      search: { mode: 'match' },
      resource: { resourceType: id.split('/')[0], id: id.split('/')[1] },
    })),
  },
});

describe('finding the patient and the source report on the target server', () => {
  const { report } = enrichedFixture();

  it('asks by the source’s ids and by the patient’s identifier, in one batch', () => {
    const lookup = referenceLookupBundle(report);
    expect(lookup?.type).toBe('batch');
    expect(lookup?.entry?.map((e) => [e.request?.method, e.request?.url])).toEqual([
      ['GET', 'Patient?_id=pat-1&_count=2'],
      ['GET', `Patient?identifier=${encodeURIComponent('urn:oid:1.2.3.4.5|MRN-77')}&_count=2`],
      ['GET', 'DiagnosticReport?_id=src-1&_count=2'],
    ]);
  });

  it('escapes token separators in the identifier and maps a bare authority to its URI', () => {
    const odd = enrichedFixture().report;
    odd.patient.identifier = { system: 'GENHOSP', value: 'A|1,2' };
    delete odd.patient.fhirReference;
    odd.source = { kind: 'hl7v2', messageId: 'M1' };
    const systems = { systems: { GENHOSP: 'urn:oid:2.16.840.1.113883.19.5' }, base: 'urn:x:' };
    expect(referenceLookupBundle(odd, systems)?.entry?.map((e) => e.request?.url)).toEqual([
      `Patient?identifier=${encodeURIComponent('urn:oid:2.16.840.1.113883.19.5|A\\|1\\,2')}&_count=2`,
    ]);
    odd.patient.identifier = { value: 'MRN-77' };
    expect(referenceLookupBundle(odd, systems)).toBeUndefined();
  });

  it('refers literally only to what matched exactly once', () => {
    const lookup = referenceLookupBundle(report)!;
    const answer = (...entries: unknown[]) =>
      referenceTargetsFrom(report, {
        resourceType: 'Bundle',
        type: 'batch-response',
        entry: entries,
      } as Bundle);
    expect(
      answer(searchset('Patient/pat-1'), searchset('Patient/pat-1'), searchset('DiagnosticReport/src-1')),
    ).toEqual({ patient: 'Patient/pat-1', sourceReport: 'DiagnosticReport/src-1' });
    // Not there by id, found by identifier on the target server: that patient.
    expect(answer(searchset(), searchset('Patient/p9'), searchset())).toEqual({ patient: 'Patient/p9' });
    // Two patients share the identifier: neither is named.
    expect(answer(searchset(), searchset('Patient/a', 'Patient/b'), searchset())).toEqual({});
    // A failed search names nothing.
    expect(answer({ response: { status: '404' } }, { response: { status: '500' } }, searchset())).toEqual({});
    expect(lookup.entry).toHaveLength(3);
  });
});
