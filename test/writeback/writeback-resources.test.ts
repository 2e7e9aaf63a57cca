import { Message } from 'node-hl7-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnosticReport, Device, Observation, Provenance, Task } from '@medplum/fhirtypes';
import { Topics } from '@radflow/events';
import { Extensions, IdentifierSystems, writebackKey } from '@radflow/fhir';
import type { RunningHost } from '@radflow/platform';
import { EventCollector } from '../support/event-collector.ts';
import {
  enrichedEvent,
  enrichedReport,
  newWritebackRun,
  publishEnriched,
  startWriteback,
  token,
} from './writeback-harness.ts';

const { run, config, fhir, patientKey } = newWritebackRun();
let host: RunningHost;
let collector: EventCollector;
let patient = '';
let sourceReports: string[] = [];

const aiast = (resource: { meta?: { security?: { code?: string }[] } }) =>
  resource.meta?.security?.some((s) => s.code === 'AIAST');
const tags = (resource: { meta?: { tag?: { code?: string }[] } }) =>
  resource.meta?.tag?.map((t) => t.code) ?? [];

beforeAll(async () => {
  collector = await EventCollector.start([Topics.outboundHl7v2]);
  const created = await fhir.create([
    {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: `MRN-${run}` }],
    },
    ...[1, 2].map(() => ({
      resourceType: 'DiagnosticReport',
      status: 'final',
      code: { text: 'XR Chest 2 Views' },
    })),
  ]);
  patient = created[0]!;
  sourceReports = created.slice(1);
  host = await startWriteback(config, collector.bus);
});

afterAll(async () => {
  await host?.close();
  await collector?.stop();
});

describe('writeback on the real broker, database and FHIR server', () => {
  const devices = [
    { label: 'chest tube', state: 'present' as const, source: 'rules' as const },
    { label: 'endotracheal tube', state: 'absent' as const, source: 'model' as const },
  ];
  const labels = [
    { label: 'pneumothorax', state: 'present' as const, source: 'model' as const },
    { label: 'pleural effusion', state: 'absent' as const, source: 'model' as const },
    { label: 'edema', state: 'uncertain' as const, source: 'rules' as const },
    { label: 'cardiomegaly', state: 'absent' as const, source: 'model' as const },
    { label: 'atelectasis', state: 'absent' as const, source: 'model' as const },
    { label: 'consolidation', state: 'absent' as const, source: 'model' as const },
  ];

  it('writes a preliminary, AIAST-labelled report with its observations, task, device and provenance, linked to the source', async () => {
    const payload = enrichedReport(run, {
      index: 1,
      patient: { key: patientKey, fhirReference: patient },
      sourceReference: sourceReports[0],
      labels,
      devices,
    });
    const event = enrichedEvent(run, payload);
    await publishEnriched(collector.bus, [event]);
    const [oruRecord] = await collector.waitFor(
      (r) => r.topic === Topics.outboundHl7v2 && r.headers['radflow-trace-id'] === event.traceId,
    );

    const [report, ...included] = await fhir.search<DiagnosticReport | Observation>(
      `DiagnosticReport?identifier=${token(IdentifierSystems.aiReport, writebackKey(payload))}&_include=DiagnosticReport:result`,
    );
    expect(report?.resourceType).toBe('DiagnosticReport');
    const aiReport = report as DiagnosticReport;
    expect(aiReport.status).toBe('preliminary');
    expect(aiast(aiReport)).toBe(true);
    expect(aiReport.subject?.reference).toBe(patient);
    expect(aiReport.code.coding?.[0]?.code).toBe('36643-5');
    expect(aiReport.conclusion).toBe('Small right apical pneumothorax.');
    expect(
      aiReport.extension?.find((e) => e.url === Extensions.sourceReport)?.valueReference?.reference,
    ).toBe(sourceReports[0]);
    expect(aiReport.extension?.find((e) => e.url === Extensions.modelVersion)?.valueString).toBe(
      `radflow-cxr-small@0.3.1-${run}`,
    );

    // Eight labels: the transaction was split within the server's caps and every result still resolves.
    const observations = included as Observation[];
    expect(observations).toHaveLength(8);
    expect(aiReport.result).toHaveLength(8);
    const [device] = await fhir.search<Device>(
      `Device?identifier=${token(IdentifierSystems.model, `radflow-cxr-small@0.3.1-${run}`)}`,
    );
    expect(device?.version?.[0]?.value).toBe(`0.3.1-${run}`);
    for (const observation of observations) {
      expect(observation.status).toBe('preliminary');
      expect(aiast(observation)).toBe(true);
      expect(observation.device?.reference).toBe(`Device/${device?.id}`);
    }
    expect(observations.find((o) => o.code.text === 'chest tube')?.valueCodeableConcept?.text).toBe(
      'present',
    );

    const [task] = await fhir.search<Task>(`Task?focus=DiagnosticReport/${aiReport.id}`);
    expect(task?.priority).toBe('stat');
    expect(task?.description).toContain('pneumothorax present');
    expect(aiast(task!)).toBe(true);

    const [provenance] = await fhir.search<Provenance>(`Provenance?target=DiagnosticReport/${aiReport.id}`);
    expect(provenance?.agent[0]?.who?.reference).toBe(`Device/${device?.id}`);
    expect(provenance?.entity?.[0]?.what.reference).toBe(sourceReports[0]);
    expect(provenance?.target).toHaveLength(1 + 8 + 1);

    const oru = new Message({ text: oruRecord!.value!.toString('utf8') });
    expect(oruRecord!.key?.toString()).toBe(patientKey);
    expect(oru.get('OBR.18').toString()).toBe(payload.report.accession);
    const obx = [...oru.get('OBX')];
    expect(obx.length).toBe(1 + 3 + 1); // impression, present/uncertain labels, priority
    for (const segment of obx) {
      expect(segment.get('OBX.11').toString()).toBe('P');
      expect(segment.get('OBX.18.1').toString()).toBe(`radflow-cxr-small@0.3.1-${run}`);
    }
  });

  it('writes a degraded (rules-only) enrichment clearly marked and without an impression', async () => {
    const payload = enrichedReport(run, {
      index: 2,
      patient: { key: patientKey, fhirReference: patient },
      sourceReference: sourceReports[1],
      degraded: true,
    });
    const event = enrichedEvent(run, payload);
    await publishEnriched(collector.bus, [event]);
    await collector.waitFor(
      (r) => r.topic === Topics.outboundHl7v2 && r.headers['radflow-trace-id'] === event.traceId,
    );
    const [report] = await fhir.search<DiagnosticReport>(
      `DiagnosticReport?identifier=${token(IdentifierSystems.aiReport, writebackKey(payload))}`,
    );
    expect(report?.conclusion).toBeUndefined();
    expect(tags(report!)).toEqual(expect.arrayContaining(['ai-generated', 'degraded']));
    expect(report?.extension?.find((e) => e.url === Extensions.modelVersion)?.valueString).toBe(
      `radflow-rules@1.0.0-${run}`,
    );
  });

  it('retires what it wrote for a report once an amended version is enriched', async () => {
    const amended = enrichedReport(run, {
      index: 1,
      patient: { key: patientKey, fhirReference: patient },
      sourceReference: sourceReports[0],
      reportVersion: 'amended:2024-05-03T09:00:00Z',
      reportedAt: '2024-05-03T09:00:00Z',
      labels: [{ label: 'pneumothorax', state: 'absent', source: 'model' }],
    });
    const event = enrichedEvent(run, amended);
    await publishEnriched(collector.bus, [event]);
    await collector.waitFor(
      (r) => r.topic === Topics.outboundHl7v2 && r.headers['radflow-trace-id'] === event.traceId,
    );

    const reports = await fhir.search<DiagnosticReport | Observation | Task>(
      `DiagnosticReport?identifier=${token(IdentifierSystems.accession, amended.report.accession)}&_include=DiagnosticReport:result&_revinclude=Task:focus`,
    );
    const byStatus = (type: string, status: string) =>
      reports.filter((r) => r.resourceType === type && r.status === status).length;
    expect(byStatus('DiagnosticReport', 'preliminary')).toBe(1);
    expect(byStatus('DiagnosticReport', 'entered-in-error')).toBe(1);
    expect(byStatus('Observation', 'entered-in-error')).toBe(8);
    expect(byStatus('Observation', 'preliminary')).toBe(1);
    expect(byStatus('Task', 'entered-in-error')).toBe(1);
    expect(byStatus('Task', 'requested')).toBe(1);
    const current = reports.find(
      (r) => r.resourceType === 'DiagnosticReport' && r.status === 'preliminary',
    ) as DiagnosticReport;
    expect(current.extension?.find((e) => e.url === Extensions.sourceReportVersion)?.valueString).toBe(
      'amended:2024-05-03T09:00:00Z',
    );
    const retired = reports.find(
      (r) => r.resourceType === 'DiagnosticReport' && r.status === 'entered-in-error',
    )!;
    expect(tags(retired)).toContain('superseded');
    expect(aiast(retired)).toBe(true);
  });
});
