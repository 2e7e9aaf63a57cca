import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import { FhirPriorLookup } from '@radflow/enricher';
import { DEFAULT_IDENTIFIER_SYSTEMS, readDiagnosticReportEvent } from '@radflow/fhir';
import { DEFAULT_CHEST_XRAY_POLICY } from '@radflow/reports';
import type { RadiologyReport } from '@radflow/schemas';

// The prior-report lookup against the real FHIR server: the latest earlier chest X-ray, never a CT or an
// ultrasound of the same patient, found for FHIR-sourced reports (patient reference) and HL7-sourced ones
// (patient identifier, system mapped from the HL7 assigning authority).
const config = loadConfig();
const base = config.fhir.baseUrl;
const run = randomUUID().slice(0, 8);
const oid = `1.2.840.99999.${Number.parseInt(run.slice(0, 6), 16)}`;
const mrn = `MRN-${run}`;
const created: string[] = [];

async function fhir(method: string, path: string, body?: object): Promise<{ id?: string }> {
  const response = await fetch(`${base}/${path}`, {
    method,
    headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? {} : ((await response.json()) as { id?: string });
}

function report(
  accession: string,
  code: { system: string; code: string; display: string },
  issued: string,
  patient: string,
  conclusion: string,
) {
  return {
    resourceType: 'DiagnosticReport',
    status: 'final',
    identifier: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] },
        system: `urn:radflow:test:${run}`,
        value: accession,
      },
    ],
    category: [{ coding: [{ system: 'http://loinc.org', code: 'LP29684-5', display: 'Radiology' }] }],
    code: { coding: [code], text: code.display },
    subject: { reference: patient },
    effectiveDateTime: issued,
    issued,
    conclusion,
  };
}

const CXR = { system: 'http://loinc.org', code: '36643-5', display: 'XR Chest 2 Views' };
const CT = { system: 'http://loinc.org', code: '24627-2', display: 'CT Chest' };
const US = { system: 'http://loinc.org', code: '24558-9', display: 'US Chest' };
let patientRef = '';
let current: RadiologyReport;

beforeAll(async () => {
  const patient = await fhir('POST', 'Patient', {
    resourceType: 'Patient',
    identifier: [{ system: `urn:oid:${oid}`, value: mrn }],
  });
  patientRef = `Patient/${patient.id}`;
  created.push(patientRef);
  const earlier = [
    report(`OLD-CXR-${run}`, CXR, '2026-01-10T08:00:00Z', patientRef, 'Mild cardiomegaly.'),
    report(`OLDER-CXR-${run}`, CXR, '2025-06-10T08:00:00Z', patientRef, 'Normal chest.'),
    report(`CT-${run}`, CT, '2026-02-01T08:00:00Z', patientRef, 'Small nodule.'),
    report(`US-${run}`, US, '2026-02-15T08:00:00Z', patientRef, 'Small effusion.'),
    report(`LATER-CXR-${run}`, CXR, '2026-04-01T08:00:00Z', patientRef, 'Clear lungs.'),
  ];
  for (const dr of earlier)
    created.push(`DiagnosticReport/${(await fhir('POST', 'DiagnosticReport', dr)).id}`);
  const read = readDiagnosticReportEvent(
    Buffer.from(
      JSON.stringify(report(`NOW-${run}`, CXR, '2026-03-01T08:00:00Z', patientRef, 'Cardiomegaly.')),
    ),
    { maxBytes: 1 << 20, patientKeySalt: 'test' },
  );
  if (!read.ok) throw new Error('fixture report did not read');
  current = read.reports[0]!;
});

afterAll(async () => {
  for (const path of created.reverse()) await fhir('DELETE', path).catch(() => undefined);
});

describe('FhirPriorLookup on the real FHIR server', () => {
  const lookup = (identifierSystems = DEFAULT_IDENTIFIER_SYSTEMS) =>
    new FhirPriorLookup({
      baseUrl: base,
      timeoutMs: 10_000,
      patientKeySalt: 'test',
      chestXray: DEFAULT_CHEST_XRAY_POLICY,
      identifierSystems,
    });

  it('picks the latest earlier chest X-ray, not the newer CT or ultrasound, for a FHIR-sourced report', async () => {
    expect(current.patient.fhirReference).toBe(patientRef);
    const prior = await lookup().findPrior(current);
    expect(prior?.accession).toBe(`OLD-CXR-${run}`);
  });

  it('finds it for an HL7-sourced report by the patient identifier, its authority mapped to the system URI', async () => {
    const hl7: RadiologyReport = {
      ...current,
      source: { ...current.source, kind: 'hl7v2' },
      patient: { key: current.patient.key, identifier: { system: 'GENHOSP', value: mrn } },
    };
    const mapped = { ...DEFAULT_IDENTIFIER_SYSTEMS, systems: { GENHOSP: `urn:oid:${oid}` } };
    expect((await lookup(mapped).findPrior(hl7))?.accession).toBe(`OLD-CXR-${run}`);
    // Unmapped, the authority becomes radflow's URI form, which the EHR does not know: no prior, never a guess.
    expect(await lookup().findPrior(hl7)).toBeUndefined();
  });

  it('looks nothing up for a report without a patient reference or identifier', async () => {
    const anonymous: RadiologyReport = { ...current, patient: { key: current.patient.key } };
    expect(await lookup().findPrior(anonymous)).toBeUndefined();
  });
});
