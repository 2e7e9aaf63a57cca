import type {
  BundleEntry,
  DiagnosticReport,
  Observation,
  Provenance,
  Task,
  Device,
} from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { enrichedFixture } from './enriched-fixture.testing.ts';
import { buildWritebackBundle } from './writeback-bundle.ts';
import { writebackKey } from './writeback-key.ts';
import { AI_ASSERTED, Extensions, IdentifierSystems } from './vocabulary.ts';

function counter() {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

function ofType<T>(entries: BundleEntry[], type: string): T[] {
  return entries.filter((e) => e.resource?.resourceType === type).map((e) => e.resource as T);
}

function referencesIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => referencesIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [name, inner] of Object.entries(value)) {
      if (name === 'reference' && typeof inner === 'string') found.push(inner);
      else referencesIn(inner, found);
    }
  }
  return found;
}

const hasAiast = (resource: { meta?: { security?: { system?: string; code?: string }[] } }) =>
  resource.meta?.security?.some((c) => c.system === AI_ASSERTED.system && c.code === 'AIAST') ?? false;

describe('buildWritebackBundle', () => {
  const enriched = enrichedFixture();
  // As after the writeback found the patient and the source report on the target server.
  const targets = { patient: 'Patient/pat-1', sourceReport: 'DiagnosticReport/src-1' };
  const bundle = buildWritebackBundle(enriched, { newUuid: counter(), targets });
  const entries = bundle.entry ?? [];
  const [report] = ofType<DiagnosticReport>(entries, 'DiagnosticReport');
  const observations = ofType<Observation>(entries, 'Observation');
  const [task] = ofType<Task>(entries, 'Task');
  const [device] = ofType<Device>(entries, 'Device');
  const [provenance] = ofType<Provenance>(entries, 'Provenance');
  const urlOf = (resource: unknown) => entries.find((e) => e.resource === resource)?.fullUrl;

  it('is a transaction of conditional creates with unique urn:uuid fullUrls', () => {
    expect(bundle.type).toBe('transaction');
    expect(entries).toHaveLength(1 + 1 + 5 + 1 + 1); // device, report, 4 labels + temporal, task, provenance
    const urls = entries.map((e) => e.fullUrl);
    expect(new Set(urls).size).toBe(urls.length);
    const conditions = entries.map((e) => `${e.request?.url}?${e.request?.ifNoneExist}`);
    expect(new Set(conditions).size).toBe(conditions.length);
    for (const entry of entries) {
      expect(entry.fullUrl).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      expect(entry.request?.method).toBe('POST');
      expect(entry.request?.url).toBe(entry.resource?.resourceType);
      // Each create is conditional on the resource's own writeback-key tag.
      const code =
        entry.resource?.meta?.tag?.find((t) => t.system === 'urn:radflow:writeback-key')?.code ?? 'missing';
      expect(entry.request?.ifNoneExist).toBe(
        `_tag=${encodeURIComponent(`urn:radflow:writeback-key|${code}`)}`,
      );
    }
  });

  it('resolves every urn:uuid reference inside the bundle', () => {
    const fullUrls = new Set(entries.map((e) => e.fullUrl));
    const internal = referencesIn(entries.map((e) => e.resource)).filter((r) => r.startsWith('urn:uuid:'));
    expect(internal.length).toBeGreaterThan(10);
    for (const reference of internal) expect(fullUrls.has(reference)).toBe(true);
  });

  it('writes a preliminary AIAST DiagnosticReport with the source code, subject, impression and link', () => {
    expect(report?.status).toBe('preliminary');
    expect(hasAiast(report!)).toBe(true);
    expect(report?.meta?.tag).toEqual([
      { system: 'urn:radflow:tag', code: 'ai-generated', display: 'AI-generated draft (radflow)' },
      { system: 'urn:radflow:writeback-key', code: writebackKey(enriched) },
      { system: 'urn:radflow:accession', code: 'ACC-1001' },
    ]);
    expect(report?.code.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: '36643-5' });
    expect(report?.subject?.reference).toBe('Patient/pat-1');
    expect(report?.conclusion).toBe('Small right apical pneumothorax.');
    expect(report?.effectiveDateTime).toBe('2024-03-01T09:55:00Z');
    expect(report?.identifier).toContainEqual({
      system: IdentifierSystems.aiReport,
      value: writebackKey(enriched),
    });
    expect(report?.identifier?.find((i) => i.system === IdentifierSystems.accession)?.value).toBe('ACC-1001');
    const source = report?.extension?.find((e) => e.url === Extensions.sourceReport)?.valueReference;
    expect(source).toMatchObject({ reference: 'DiagnosticReport/src-1', identifier: { value: 'ACC-1001' } });
    expect(report?.extension?.find((e) => e.url === Extensions.modelVersion)?.valueString).toBe(
      'radflow-cxr-small@0.3.1',
    );
    expect(report?.result?.map((r) => r.reference)).toEqual(observations.map(urlOf));
  });

  it('writes one preliminary AIAST Observation per label, made by the model Device', () => {
    const labels = observations.filter((o) => o.valueCodeableConcept);
    expect(labels.map((o) => [o.code.text, o.valueCodeableConcept?.text])).toEqual([
      ['pneumothorax', 'present'],
      ['pleural effusion', 'absent'],
      ['edema', 'uncertain'],
      ['chest tube', 'absent'],
    ]);
    for (const observation of observations) {
      expect(observation.status).toBe('preliminary');
      expect(hasAiast(observation)).toBe(true);
      expect(observation.device?.reference).toBe(urlOf(device));
      expect(observation.subject?.reference).toBe('Patient/pat-1');
    }
    expect(labels[0]?.valueCodeableConcept?.coding).toContainEqual({
      system: 'http://snomed.info/sct',
      code: '52101004',
      display: 'Present',
    });
    const temporal = observations.find((o) => o.valueString);
    expect(temporal?.component?.map((c) => [c.code.text, c.valueString])).toEqual([
      ['added', 'pneumothorax'],
      ['changed: stable', 'cardiomegaly'],
    ]);
  });

  it('carries the worklist priority and its reasons on a Task focused on the AI report', () => {
    expect(task?.priority).toBe('stat');
    expect(task?.status).toBe('requested');
    expect(task?.description).toContain('pneumothorax present');
    expect(task?.note).toEqual([{ text: 'pneumothorax present' }]);
    expect(task?.focus?.reference).toBe(urlOf(report));
    expect(hasAiast(task!)).toBe(true);
  });

  it('names the model in a Device and as the Provenance author of everything created from the source report', () => {
    expect(device?.identifier).toEqual([
      { system: IdentifierSystems.model, value: 'radflow-cxr-small@0.3.1' },
    ]);
    expect(device?.version?.[0]?.value).toBe('0.3.1');
    expect(provenance?.agent[0]?.who?.reference).toBe(urlOf(device));
    expect(provenance?.agent[0]?.type?.coding?.[0]?.code).toBe('author');
    expect(provenance?.target.map((t) => t.reference).sort()).toEqual(
      [urlOf(report), ...observations.map(urlOf), urlOf(task)].sort(),
    );
    expect(provenance?.entity?.[0]).toMatchObject({
      role: 'source',
      what: { reference: 'DiagnosticReport/src-1' },
    });
    expect(entries.find((e) => e.resource === provenance)?.request?.ifNoneExist).toBe(
      `_tag=${encodeURIComponent(`urn:radflow:writeback-key|${writebackKey(enriched)}`)}`,
    );
  });

  it("names the route in the author's role when the enricher routed the report (a radiologist's adapter), none without", () => {
    expect(provenance?.agent[0]?.role).toBeUndefined();
    const adapted = enrichedFixture();
    adapted.enrichment.model = {
      name: 'radflow-cxr-small~r-00112233aabbccdd',
      version: '0.3.1-r1',
      route: 'radiologist',
    };
    const written = buildWritebackBundle(adapted).entry ?? [];
    const [author] = ofType<Provenance>(written, 'Provenance')[0]?.agent ?? [];
    expect(author?.who?.display).toBe('radflow-cxr-small~r-00112233aabbccdd@0.3.1-r1');
    expect(author?.role?.[0]?.coding).toEqual([
      expect.objectContaining({ system: 'urn:radflow:model-route', code: 'radiologist' }),
    ]);
    // The route is not part of the model's identity: the Device and the writeback key are the version's alone.
    const routedAgain = structuredClone(adapted);
    routedAgain.enrichment.model.route = 'serving';
    expect(writebackKey(routedAgain)).toBe(writebackKey(adapted));
  });

  it('makes the same conditions for a replay and different ones for another model version', () => {
    const conditions = (b: typeof bundle) => (b.entry ?? []).map((e) => e.request?.ifNoneExist);
    expect(conditions(buildWritebackBundle(enriched, { targets }))).toEqual(conditions(bundle));
    const retrained = enrichedFixture();
    retrained.enrichment.model.version = '0.4.0';
    const other = conditions(buildWritebackBundle(retrained));
    expect(other[0]).not.toEqual(conditions(bundle)[0]); // a new Device
    expect(other.slice(1).some((c) => conditions(bundle).includes(c))).toBe(false);
  });

  it('writes a degraded enrichment clearly marked, without an impression', () => {
    const degraded = enrichedFixture({ degraded: true });
    degraded.enrichment.draftImpression = 'must not be written';
    const written = buildWritebackBundle(degraded).entry ?? [];
    const [degradedReport] = ofType<DiagnosticReport>(written, 'DiagnosticReport');
    expect(degradedReport?.conclusion).toBeUndefined();
    for (const resource of [
      ...ofType<Observation>(written, 'Observation'),
      degradedReport!,
      ...ofType<Task>(written, 'Task'),
    ]) {
      expect(resource.meta?.tag?.map((t) => t.code)).toContain('degraded');
    }
    expect(ofType<Device>(written, 'Device')[0]?.type?.text).toMatch(/Rule-based/);
  });

  it('tags the AI report whose conclusion the rule check changed, and only that one', () => {
    const checked = enrichedFixture();
    checked.enrichment.draftImpressionEdits = [{ kind: 'unsupported-finding-removed', label: 'pneumonia' }];
    const tagsOf = (enriched: ReturnType<typeof enrichedFixture>) =>
      ofType<DiagnosticReport>(
        buildWritebackBundle(enriched).entry ?? [],
        'DiagnosticReport',
      )[0]?.meta?.tag?.map((t) => t.code);
    expect(tagsOf(checked)).toContain('draft-checked');
    expect(tagsOf(enrichedFixture())).not.toContain('draft-checked');
    const [aiReport] = ofType<DiagnosticReport>(
      buildWritebackBundle(checked).entry ?? [],
      'DiagnosticReport',
    );
    expect(aiReport!.extension?.filter((e) => e.url.endsWith('/draft-check'))).toEqual([
      {
        url: 'https://radflow.dev/fhir/StructureDefinition/draft-check',
        valueString: 'removed, not supported by the findings: pneumonia',
      },
    ]);
    expect(aiReport!.text?.div).toContain('Checked by the rules against the findings');
  });

  it('stores the accession in a search-safe form next to the raw one on the source link', () => {
    const odd = buildWritebackBundle(enrichedFixture({ accession: 'ACC|7, 2' })).entry ?? [];
    const [aiReport] = ofType<DiagnosticReport>(odd, 'DiagnosticReport');
    expect(aiReport?.identifier?.find((i) => i.system === IdentifierSystems.accession)?.value).toBe(
      'ACC%7C7%2C%202',
    );
    const source = aiReport?.extension?.find((e) => e.url === Extensions.sourceReport)?.valueReference;
    expect(source?.identifier?.value).toBe('ACC|7, 2');
  });

  it('keeps one Observation per label when a label is listed twice', () => {
    const twice = enrichedFixture();
    twice.enrichment.abnormalities.push({ label: 'pneumothorax', state: 'uncertain', source: 'rules' });
    const labels = ofType<Observation>(buildWritebackBundle(twice).entry ?? [], 'Observation').filter(
      (o) => o.valueCodeableConcept,
    );
    expect(labels.filter((o) => o.code.text === 'pneumothorax')).toHaveLength(1);
    expect(labels.find((o) => o.code.text === 'pneumothorax')?.valueCodeableConcept?.text).toBe('present');
  });

  it('refers to an HL7-sourced patient and report by identifier, and drops unreadable timestamps', () => {
    const fromHl7 = enrichedFixture();
    fromHl7.report.source = { kind: 'hl7v2', messageId: 'MSG1' };
    delete fromHl7.report.patient.fhirReference;
    fromHl7.report.observedAt = 'yesterday morning';
    const written = buildWritebackBundle(fromHl7).entry ?? [];
    const [aiReport] = ofType<DiagnosticReport>(written, 'DiagnosticReport');
    expect(aiReport?.subject).toEqual({
      type: 'Patient',
      identifier: { system: 'urn:oid:1.2.3.4.5', value: 'MRN-77' },
    });
    expect(aiReport?.effectiveDateTime).toBeUndefined();
    const source = aiReport?.extension?.find((e) => e.url === Extensions.sourceReport)?.valueReference;
    expect(source?.reference).toBeUndefined();
    expect(source?.identifier?.value).toBe('ACC-1001');
  });
  it('refers to a patient and source report it did not find on the server by identifier only', () => {
    const written = buildWritebackBundle(enriched).entry ?? [];
    const [aiReport] = ofType<DiagnosticReport>(written, 'DiagnosticReport');
    expect(aiReport?.subject).toEqual({
      type: 'Patient',
      identifier: { system: 'urn:oid:1.2.3.4.5', value: 'MRN-77' },
    });
    expect(referencesIn(written.map((e) => e.resource)).filter((r) => !r.startsWith('urn:uuid:'))).toEqual(
      [],
    );
    const [task] = ofType<Task>(written, 'Task');
    expect(task?.for).toEqual(aiReport?.subject);
    expect(ofType<Provenance>(written, 'Provenance')[0]?.entity?.[0]?.what).toMatchObject({
      type: 'DiagnosticReport',
      identifier: { value: 'ACC-1001' },
    });
  });

  it('writes an absolute identifier system for an HL7 assigning authority, never the bare name', () => {
    const fromHl7 = enrichedFixture();
    fromHl7.report.source = { kind: 'hl7v2', messageId: 'MSG1' };
    delete fromHl7.report.patient.fhirReference;
    const systemOf = (
      system: string,
      identifierSystems?: { systems: Record<string, string>; base: string },
    ) => {
      fromHl7.report.patient.identifier = { system, value: 'MRN100002' };
      const written = buildWritebackBundle(fromHl7, identifierSystems ? { identifierSystems } : {});
      return ofType<DiagnosticReport>(written.entry ?? [], 'DiagnosticReport')[0]?.subject?.identifier
        ?.system;
    };
    expect(systemOf('GENHOSP')).toBe('urn:radflow:assigning-authority:GENHOSP');
    expect(systemOf('GEN HOSP/ICU')).toBe('urn:radflow:assigning-authority:GEN%20HOSP%2FICU');
    expect(systemOf('GENHOSP', { systems: { GENHOSP: 'urn:oid:2.16.840.1.113883.19.5' }, base: 'x:' })).toBe(
      'urn:oid:2.16.840.1.113883.19.5',
    );
    expect(systemOf('2.16.840.1.113883.19.5')).toBe('urn:oid:2.16.840.1.113883.19.5');
    expect(systemOf('https://mpi.example.org/sid/mrn')).toBe('https://mpi.example.org/sid/mrn');
  });

  it('codes each label with SNOMED CT and RadLex beside the local code, when the vocabulary has them', () => {
    const pneumothorax = observations.find((o) => o.code.text === 'pneumothorax');
    expect(pneumothorax?.code.coding).toEqual([
      { system: 'urn:radflow:label:abnormality', code: 'pneumothorax', display: 'pneumothorax' },
      { system: 'http://snomed.info/sct', code: '36118008', display: 'Pneumothorax' },
      { system: 'http://www.radlex.org', code: 'RID5352', display: 'pneumothorax' },
    ]);
    const chestTube = observations.find((o) => o.code.text === 'chest tube');
    expect(chestTube?.code.coding?.map((c) => `${c.system}|${c.code}`)).toEqual([
      'urn:radflow:label:device|chest tube',
      'http://www.radlex.org|RID5573',
    ]);
  });

  it('gives every resource a generated XHTML narrative, with the findings on the report', () => {
    for (const entry of entries) {
      const text = (entry.resource as { text?: { status: string; div: string } }).text;
      expect(text?.status, entry.resource?.resourceType).toBe('generated');
      expect(text?.div).toMatch(/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml">.+<\/div>$/s);
    }
    expect(report?.text?.div).toContain('AI-generated draft');
    expect(report?.text?.div).toContain('Small right apical pneumothorax.');
    expect(report?.text?.div).toContain('<tr><td>pneumothorax</td><td>present</td><td>AI model</td></tr>');
    expect(task?.text?.div).toContain('<b>STAT</b>');
    expect(device?.text?.div).toContain('radflow-cxr-small');
  });

  it('leaves out an empty result list', () => {
    const normal = enrichedFixture();
    normal.enrichment.abnormalities = [];
    normal.enrichment.devices = [];
    delete normal.enrichment.temporal;
    const [aiReport] = ofType<DiagnosticReport>(buildWritebackBundle(normal).entry ?? [], 'DiagnosticReport');
    expect(aiReport).not.toHaveProperty('result');
    expect(aiReport?.text?.div).toContain('No findings were labelled.');
  });
});
