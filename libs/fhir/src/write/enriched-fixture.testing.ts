import type { Resource } from '@medplum/fhirtypes';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { buildWritebackBundle } from './writeback-bundle.ts';

/** A complete enriched event for tests of the writeback side (FHIR bundle, HL7 ORU, the writeback app). */
export function enrichedFixture(
  overrides: { accession?: string; reportVersion?: string; degraded?: boolean } = {},
): ReportEnrichedPayload {
  const degraded = overrides.degraded ?? false;
  return {
    report: {
      source: {
        kind: 'fhir',
        messageId: 'DiagnosticReport/src-1/_history/2',
        fhirReference: 'DiagnosticReport/src-1',
      },
      reportId: 'src-1',
      reportVersion: overrides.reportVersion ?? 'final:2024-03-01T10:15:00Z',
      accession: overrides.accession ?? 'ACC-1001',
      patient: {
        key: 'a1b2c3d4e5f60718',
        identifier: { system: 'urn:oid:1.2.3.4.5', value: 'MRN-77' },
        fhirReference: 'Patient/pat-1',
      },
      procedure: { code: '36643-5', system: 'http://loinc.org', text: 'XR Chest 2 Views' },
      status: 'final',
      observedAt: '2024-03-01T09:55:00Z',
      reportedAt: '2024-03-01T10:15:00Z',
      text: 'FINDINGS: Small right pneumothorax. IMPRESSION: Small right pneumothorax.',
      sections: { findings: 'Small right pneumothorax.', impression: 'Small right pneumothorax.' },
      unusedContent: [],
    },
    enrichment: {
      status: 'preliminary',
      aiGenerated: true,
      model: degraded
        ? { name: 'radflow-rules', version: '1.0.0' }
        : { name: 'radflow-cxr-small', version: '0.3.1' },
      rulesVersion: '1.0.0',
      degraded,
      ...(degraded
        ? { degradedReason: 'model timed out' }
        : { draftImpression: 'Small right apical pneumothorax.' }),
      abnormalities: [
        { label: 'pneumothorax', state: 'present', source: degraded ? 'rules' : 'model' },
        { label: 'pleural effusion', state: 'absent', source: 'rules' },
        { label: 'edema', state: 'uncertain', source: 'rules' },
      ],
      devices: [{ label: 'chest tube', state: 'absent', source: 'rules' }],
      temporal: {
        priorAccession: 'ACC-0999',
        added: ['pneumothorax'],
        removed: [],
        changed: [{ finding: 'cardiomegaly', progression: 'stable' }],
      },
      priority: { level: 'stat', reasons: ['pneumothorax present'] },
      generatedAt: '2024-03-01T10:15:04.250Z',
    },
  };
}

/**
 * What a server holds after writing an enrichment: the bundle's resources with ids, a version, and
 * urn:uuid references rewritten to those ids (as a transaction does).
 */
export function storedWriteback(enriched: ReportEnrichedPayload, idPrefix: string): Resource[] {
  const entries = buildWritebackBundle(enriched).entry ?? [];
  const ids = new Map(
    entries.map((entry, index) => [entry.fullUrl, `${entry.resource?.resourceType}/${idPrefix}${index}`]),
  );
  const rewritten = JSON.parse(JSON.stringify(entries.map((entry) => entry.resource)), (name, value) =>
    name === 'reference' && ids.has(value) ? ids.get(value) : value,
  ) as Resource[];
  return rewritten.map(
    (resource, index) =>
      ({ ...resource, id: `${idPrefix}${index}`, meta: { ...resource.meta, versionId: '1' } }) as Resource,
  );
}
