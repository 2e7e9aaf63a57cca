import type {
  BundleEntry,
  DiagnosticReport,
  Observation,
  Provenance,
  Task,
  Device,
} from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { enrichedFixture } from './enriched-fixture.ts';
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
  const bundle = buildWritebackBundle(enriched, { newUuid: counter() });
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

  it('makes the same conditions for a replay and different ones for another model version', () => {
    const conditions = (b: typeof bundle) => (b.entry ?? []).map((e) => e.request?.ifNoneExist);
    expect(conditions(buildWritebackBundle(enriched))).toEqual(conditions(bundle));
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
});
