import { randomUUID } from 'node:crypto';
import { validateResource } from '@medplum/core';
import type {
  Bundle,
  CapabilityStatement,
  DiagnosticReport,
  OperationOutcome,
  Patient,
} from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type RunningFhirServer } from './server.ts';
import { fhirClient } from './test-client.ts';

const MRN_SYSTEM = 'urn:oid:1.2.3.4.5.radflow.test.mrn';

let server: RunningFhirServer;
let fhir: ReturnType<typeof fhirClient>;

beforeAll(async () => {
  server = await startFhirServer({ port: 0 });
  fhir = fhirClient(server.baseUrl);
});

afterAll(async () => {
  await server?.close();
});

function mrn(): string {
  return `MRN-${randomUUID()}`;
}

function patientWith(identifier: string): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: MRN_SYSTEM, value: identifier }],
    gender: 'unknown',
  };
}

function reportTransaction(identifier: string): Bundle {
  const patientUrn = `urn:uuid:${randomUUID()}`;
  const report: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    status: 'preliminary',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '24627-2', display: 'Chest CT' }] },
    subject: { reference: patientUrn },
    conclusion: 'No acute findings.',
  };
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: patientUrn,
        resource: patientWith(identifier),
        request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${MRN_SYSTEM}|${identifier}` },
      },
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: report,
        request: { method: 'POST', url: 'DiagnosticReport' },
      },
    ],
  };
}

describe('GET /metadata', () => {
  it('returns a valid R4 CapabilityStatement that lists transaction and the radiology resources', async () => {
    const res = await fhir.call<CapabilityStatement>('GET', 'metadata');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/fhir+json');
    expect(res.body.resourceType).toBe('CapabilityStatement');
    expect(res.body.fhirVersion).toBe('4.0.1');
    expect(() => validateResource(res.body)).not.toThrow();
    const rest = res.body.rest?.[0];
    expect(rest?.interaction?.map((i) => i.code)).toContain('transaction');
    const types = rest?.resource?.map((r) => r.type) ?? [];
    expect(types).toEqual(
      expect.arrayContaining(['Patient', 'DiagnosticReport', 'ImagingStudy', 'ServiceRequest']),
    );
    const dr = rest?.resource?.find((r) => r.type === 'DiagnosticReport');
    expect(dr?.searchParam?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['subject', 'code', 'identifier']),
    );
  });
});

describe('validation', () => {
  it('rejects an unknown property with 400 and an OperationOutcome naming the element, and stores nothing', async () => {
    const id = mrn();
    const res = await fhir.call('POST', 'Patient', { ...patientWith(id), favouriteColour: 'blue' });
    expect(res.status).toBe(400);
    const outcome = fhir.outcome(res);
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]?.severity).toBe('error');
    expect(outcome.issue[0]?.expression).toEqual(['Patient.favouriteColour']);
    const found = await fhir.search(`Patient?identifier=${MRN_SYSTEM}|${id}`);
    expect(found.body.total).toBe(0);
  });

  it('rejects a missing required element and a wrong JSON type', async () => {
    const noStatus = await fhir.call('POST', 'DiagnosticReport', {
      resourceType: 'DiagnosticReport',
      code: { text: 'CT' },
    });
    expect(noStatus.status).toBe(400);
    expect(fhir.outcome(noStatus).issue[0]?.expression).toEqual(['DiagnosticReport.status']);

    const badType = await fhir.call('POST', 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'size' },
      valueQuantity: { value: 'twelve' },
    });
    expect(badType.status).toBe(400);
    expect(fhir.outcome(badType).issue[0]?.details?.text).toMatch(/expected number/);
  });

  it('rejects a code outside a required value set (DiagnosticReport.status)', async () => {
    const res = await fhir.call('POST', 'DiagnosticReport', {
      resourceType: 'DiagnosticReport',
      status: 'draft-by-ai',
      code: { text: 'CT' },
    });
    expect(res.status).toBe(400);
    const issue = fhir.outcome(res).issue[0];
    expect(issue?.code).toBe('code-invalid');
    expect(issue?.expression).toEqual(['DiagnosticReport.status']);
  });

  it('rejects an invalid resource on update too, keeping the stored version', async () => {
    const created = await fhir.call<Patient>('POST', 'Patient', patientWith(mrn()));
    expect(created.status).toBe(201);
    const id = created.body.id ?? '';
    const res = await fhir.call('PUT', `Patient/${id}`, { ...created.body, gender: 'banana' });
    expect(res.status).toBe(400);
    const read = await fhir.call<Patient>('GET', `Patient/${id}`);
    expect(read.body.gender).toBe('unknown');
    expect(read.body.meta?.versionId).toBe(created.body.meta?.versionId);
  });

  it('answers a body that is not JSON with 400 and a wrong content type with 415', async () => {
    expect((await fhir.call('POST', 'Patient', '{not json')).status).toBe(400);
    expect((await fhir.call('POST', 'Patient', '{}', { 'content-type': 'text/plain' })).status).toBe(415);
  });
});

describe('transactions', () => {
  it('resolves urn:uuid references to the ids the server assigned', async () => {
    const res = await fhir.call<Bundle>('POST', '', reportTransaction(mrn()));
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('transaction-response');
    const [patientEntry, reportEntry] = res.body.entry ?? [];
    expect(patientEntry?.response?.status).toBe('201');
    expect(reportEntry?.response?.status).toBe('201');
    const patientId = patientEntry?.resource?.id;
    expect(patientId).toBeTruthy();
    expect(reportEntry?.response?.location).toMatch(/^DiagnosticReport\/[^/]+\/_history\/[^/]+$/);

    const report = await fhir.call<DiagnosticReport>('GET', `DiagnosticReport/${reportEntry?.resource?.id}`);
    expect(report.status).toBe(200);
    expect(report.body.subject?.reference).toBe(`Patient/${patientId}`);
  });

  it('conditional create (request.ifNoneExist) run twice creates the patient once', async () => {
    const identifier = mrn();
    const first = await fhir.call<Bundle>('POST', '', reportTransaction(identifier));
    const second = await fhir.call<Bundle>('POST', '', reportTransaction(identifier));
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body.entry?.[0]?.response?.status).toBe('201');
    expect(second.body.entry?.[0]?.response?.status).toBe('200');
    const patientId = first.body.entry?.[0]?.resource?.id;
    expect(second.body.entry?.[0]?.resource?.id).toBe(patientId);

    const patients = await fhir.search(`Patient?identifier=${MRN_SYSTEM}|${identifier}`);
    expect(patients.body.total).toBe(1);
    const reports = await fhir.search(`DiagnosticReport?subject=Patient/${patientId}`);
    expect(reports.body.total).toBe(2);
  });

  it('is atomic: an invalid entry rolls back the entries before it', async () => {
    const identifier = mrn();
    const bundle = reportTransaction(identifier);
    const report = bundle.entry?.[1]?.resource as DiagnosticReport;
    (report as { status: string }).status = 'not-a-status';
    const res = await fhir.call('POST', '', bundle);
    expect(res.status).toBe(400);
    expect(fhir.outcome(res).resourceType).toBe('OperationOutcome');
    const patients = await fhir.search(`Patient?identifier=${MRN_SYSTEM}|${identifier}`);
    expect(patients.body.total).toBe(0);
  });

  it('runs batch entries independently: one failure does not stop the others', async () => {
    const identifier = mrn();
    const res = await fhir.call<Bundle>('POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        {
          resource: { resourceType: 'Patient', gender: 'banana' },
          request: { method: 'POST', url: 'Patient' },
        },
        { resource: patientWith(identifier), request: { method: 'POST', url: 'Patient' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('batch-response');
    expect(res.body.entry?.[0]?.response?.status).toBe('400');
    expect((res.body.entry?.[0]?.response?.outcome as OperationOutcome | undefined)?.resourceType).toBe(
      'OperationOutcome',
    );
    expect(res.body.entry?.[1]?.response?.status).toBe('201');
    expect((await fhir.search(`Patient?identifier=${MRN_SYSTEM}|${identifier}`)).body.total).toBe(1);
  });
});

describe('conditional create over plain POST (If-None-Exist header)', () => {
  it('creates once (201) and then returns the existing resource (200)', async () => {
    const identifier = mrn();
    const header = { 'if-none-exist': `identifier=${MRN_SYSTEM}|${identifier}` };
    const first = await fhir.call<Patient>('POST', 'Patient', patientWith(identifier), header);
    const second = await fhir.call<Patient>('POST', 'Patient', patientWith(identifier), header);
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toContain(`/Patient/${first.body.id}/_history/`);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
  });
});

describe('search', () => {
  it('finds by identifier system|value and by value alone, and not by another value', async () => {
    const identifier = mrn();
    const created = await fhir.call<Patient>('POST', 'Patient', patientWith(identifier));
    const bySystemValue = await fhir.search(`Patient?identifier=${MRN_SYSTEM}|${identifier}`);
    expect(bySystemValue.body.total).toBe(1);
    expect(bySystemValue.body.entry?.[0]?.resource?.id).toBe(created.body.id);
    expect(bySystemValue.body.entry?.[0]?.fullUrl).toBe(`${server.baseUrl}/Patient/${created.body.id}`);
    expect((await fhir.search(`Patient?identifier=${identifier}`)).body.total).toBe(1);
    expect((await fhir.search(`Patient?identifier=${MRN_SYSTEM}|${mrn()}`)).body.total).toBe(0);
  });

  it('finds by code token, subject reference and _tag', async () => {
    const tag = `tag-${randomUUID()}`;
    const patient = await fhir.call<Patient>('POST', 'Patient', patientWith(mrn()));
    const report: DiagnosticReport = {
      resourceType: 'DiagnosticReport',
      meta: { tag: [{ system: 'urn:radflow:test', code: tag }] },
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '36643-5' }] },
      subject: { reference: `Patient/${patient.body.id}` },
    };
    const created = await fhir.call<DiagnosticReport>('POST', 'DiagnosticReport', report);
    expect(created.status).toBe(201);
    const queries = [
      `DiagnosticReport?code=http://loinc.org|36643-5&subject=Patient/${patient.body.id}`,
      `DiagnosticReport?_tag=urn:radflow:test|${tag}`,
    ];
    for (const q of queries) {
      const res = await fhir.search(q);
      expect(res.body.entry?.map((e) => e.resource?.id)).toEqual([created.body.id]);
    }
    expect((await fhir.search(`DiagnosticReport?_tag=urn:radflow:test|other`)).body.total).toBe(0);
  });
});

describe('read, vread, update, delete', () => {
  it('keeps versions and answers 404 after delete', async () => {
    const created = await fhir.call<Patient>('POST', 'Patient', {
      ...patientWith(mrn()),
      id: 'client-chosen',
    });
    expect(created.status).toBe(201);
    expect(created.body.id).not.toBe('client-chosen'); // the server assigns ids on create
    const id = created.body.id ?? '';
    const v1 = created.body.meta?.versionId ?? '';
    expect(created.headers.get('etag')).toBe(`W/"${v1}"`);

    const updated = await fhir.call<Patient>('PUT', `Patient/${id}`, { ...created.body, gender: 'female' });
    expect(updated.status).toBe(200);
    expect(updated.body.meta?.versionId).not.toBe(v1);

    const old = await fhir.call<Patient>('GET', `Patient/${id}/_history/${v1}`);
    expect(old.body.gender).toBe('unknown');
    expect((await fhir.call<Patient>('GET', `Patient/${id}`)).body.gender).toBe('female');

    expect((await fhir.call('DELETE', `Patient/${id}`)).status).toBe(200);
    const gone = await fhir.call('GET', `Patient/${id}`);
    expect(gone.status).toBe(404);
    expect(fhir.outcome(gone).resourceType).toBe('OperationOutcome');
  });
});

describe('paging', () => {
  it('links the next page when _count cuts the result, and the pages cover every match once', async () => {
    const system = `urn:radflow:paging:${randomUUID()}`;
    for (let i = 0; i < 5; i++) {
      const res = await fhir.call('POST', 'Device', {
        resourceType: 'Device',
        identifier: [{ system, value: `d${i}` }],
      });
      expect(res.status).toBe(201);
    }
    const ids: string[] = [];
    let next: string | undefined =
      `${server.baseUrl}/Device?identifier=${encodeURIComponent(system + '|')}&_count=2`;
    let pages = 0;
    while (next) {
      const res: Response = await fetch(next);
      const page = (await res.json()) as Bundle;
      expect(page.total).toBe(5);
      ids.push(...(page.entry ?? []).map((e) => e.resource?.id ?? ''));
      next = page.link?.find((l) => l.relation === 'next')?.url;
      pages += 1;
      expect(pages).toBeLessThan(10);
    }
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(5);
  });
});
