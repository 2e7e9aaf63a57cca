import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnosticReport, Observation, Resource } from '@medplum/fhirtypes';
import { Topics, type Envelope } from '@radflow/events';
import {
  ACCESSION_TAG_SYSTEM,
  buildWritebackBundle,
  escapeKeyPart,
  IdentifierSystems,
  modelIdentity,
} from '@radflow/fhir';
import type { RunningHost } from '@radflow/platform';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { EventCollector } from '../support/event-collector.ts';
import { demoEnrichments } from './conformance-scenarios.ts';
import { validateFolder, type ValidationRun, type ValidatorIssue } from './fhir-validator.ts';
import {
  enrichedEvent,
  enrichedReport,
  newRun,
  publishEnriched,
  startWriteback,
  token,
  writebackConfig,
  FhirProbe,
} from './writeback-harness.ts';

/**
 * FHIR conformance of what the writeback writes: every resource the writeback creates here (the demo's
 * reports, FHIR- and HL7-sourced reports with and without their patient and source report on the server, a
 * degraded and an amended report, hostile model text) is read back from the real FHIR server and validated by
 * the HAPI FHIR instance validator (R4 4.0.1, offline) in one JVM, with one transaction bundle as sent. Zero
 * errors, except those listed in ACCEPTED with why; every literal reference resolves on the server.
 */
const ACCEPTED: { why: string; matches: (issue: ValidatorIssue) => boolean }[] = [
  {
    why:
      'AIAST (HL7 AI Transparency) was added to v3-ObservationValue in THO 5.x (2023); R4 4.0.1 bundles the 2019 ' +
      'code system and the offline validator has no newer terminology to check it against',
    matches: (issue) =>
      /\.meta\.security/.test(issue.location ?? '') &&
      issue.message.includes('http://terminology.hl7.org/CodeSystem/v3-ObservationValue#AIAST'),
  },
];

const run = newRun();
// The default configuration: no assigning authority mapped (a site's mapping is unit-tested in apps/writeback).
// Every writeback host on the broker may take these events, so nothing here may depend on this host's settings.
const config = writebackConfig(run);
const fhir = new FhirProbe(config.fhir.baseUrl);
const folder = mkdtempSync(join(tmpdir(), 'radflow-fhir-conformance-'));
let host: RunningHost;
let collector: EventCollector;
let patient = '';
let sourceReport = '';
const events: Envelope<ReportEnrichedPayload>[] = [];
const collected: Resource[] = [];
let validation: ValidationRun;
let controlIssues: ValidatorIssue[] = [];
const NEGATIVE_CONTROL = 'negative-control.json';
const brokenObservation = {
  resourceType: 'Observation',
  text: {
    status: 'generated',
    div: '<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script>x</div>',
  },
  status: 'preliminary',
  code: { text: 'pneumothorax' },
  subject: { identifier: { system: 'GENHOSP', value: 'MRN100002' } },
};

function payloads(): Record<string, ReportEnrichedPayload> {
  const key = 'c0ffee'.padEnd(32, '0');
  const onServer = enrichedReport(run, {
    index: 1,
    patient: { key, fhirReference: patient },
    sourceReference: sourceReport,
    labels: [
      { label: 'pneumothorax', state: 'present', source: 'model' },
      { label: 'pleural effusion', state: 'absent', source: 'model' },
      { label: 'pleural thickening', state: 'uncertain', source: 'rules' },
    ],
    devices: [
      { label: 'chest tube', state: 'present', source: 'rules' },
      { label: 'pacemaker or icd', state: 'absent', source: 'rules' },
    ],
  });
  onServer.enrichment.temporal = {
    priorAccession: `WB-${run}-0`,
    added: ['pneumothorax'],
    removed: [],
    changed: [{ finding: 'cardiomegaly', progression: 'stable' }],
  };
  // The enricher's draft check changed the draft: the AI report carries each edit as an extension and in its narrative.
  onServer.enrichment.draftImpressionEdits = [
    { kind: 'critical-finding-added', reason: 'pneumothorax' },
    { kind: 'unsupported-finding-removed', label: 'pneumonia' },
  ];
  // A FHIR source whose patient and report the target server does not hold (the demo's US Core example).
  const elsewhere = enrichedReport(run, {
    index: 2,
    patient: { key, fhirReference: 'Patient/example' },
    sourceReference: `DiagnosticReport/not-here-${run}`,
  });
  delete elsewhere.report.patient.identifier;
  // HL7 v2 with a bare assigning authority nobody mapped, and one named by its universal id (CX-4.2, an OID),
  // which finds the patient on the server by identifier.
  const bareAuthority = enrichedReport(run, { index: 3, patient: { key } });
  bareAuthority.report.patient.identifier = { system: 'GENHOSP', value: `MRN-${run}` };
  const universalId = enrichedReport(run, { index: 4, patient: { key } });
  universalId.report.patient.identifier = { system: '2.16.840.1.113883.19.5', value: `MRN-${run}` };
  const degraded = enrichedReport(run, { index: 5, patient: { key }, degraded: true });
  const hostile = enrichedReport(run, { index: 6, patient: { key } });
  hostile.enrichment.draftImpression = 'Small <script>alert("x")</script> pneumothorax & effusion\u0007.';
  hostile.enrichment.priority.reasons = ['<b onclick="x()">pneumothorax</b> present'];
  return { onServer, elsewhere, bareAuthority, universalId, degraded, hostile };
}

async function writeAndWait(batch: ReportEnrichedPayload[]): Promise<void> {
  const batchEvents = batch.map((payload) => enrichedEvent(run, payload));
  events.push(...batchEvents);
  await publishEnriched(collector.bus, batchEvents);
  const traces = new Set(batchEvents.map((event) => event.traceId));
  await collector.waitFor(
    (r) => r.topic === Topics.outboundHl7v2 && traces.has(r.headers['radflow-trace-id'] ?? ''),
    { count: batchEvents.length, timeoutMs: 120_000 },
  );
}

/** Everything the writeback wrote for these events: AI reports of each accession with their results, tasks, provenance; devices. */
async function collect(): Promise<Resource[]> {
  const byId = new Map<string, Resource>();
  const accessions = [...new Set(events.map((event) => event.payload.report.accession))];
  for (const accession of accessions) {
    const found = await fhir.search<Resource>(
      `DiagnosticReport?_tag=${token(ACCESSION_TAG_SYSTEM, escapeKeyPart(accession))}` +
        '&_include=DiagnosticReport:result&_revinclude=Task:focus&_revinclude=Provenance:target&_count=200',
    );
    for (const resource of found) byId.set(`${resource.resourceType}/${resource.id}`, resource);
  }
  const models = [...new Set(events.map((event) => modelIdentity(event.payload.enrichment.model)))];
  for (const model of models)
    for (const device of await fhir.search<Resource>(
      `Device?identifier=${token(IdentifierSystems.model, model)}`,
    ))
      byId.set(`Device/${device.id}`, device);
  return [...byId.values()];
}

function referencesIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => referencesIn(item, found));
  else if (value && typeof value === 'object')
    for (const [name, inner] of Object.entries(value)) {
      if (name === 'reference' && typeof inner === 'string') found.push(inner);
      else referencesIn(inner, found);
    }
  return found;
}

const aiReportOf = (payload: ReportEnrichedPayload) =>
  collected.find(
    (r): r is DiagnosticReport =>
      r.resourceType === 'DiagnosticReport' &&
      r.status === 'preliminary' &&
      (r.identifier ?? []).some(
        (i) => i.system === IdentifierSystems.accession && i.value === payload.report.accession,
      ),
  );

let scenario: Record<string, ReportEnrichedPayload>;

beforeAll(async () => {
  const started = Date.now();
  collector = await EventCollector.start([Topics.outboundHl7v2]);
  [patient, sourceReport] = (await fhir.create([
    {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:oid:2.16.840.1.113883.19.5', value: `MRN-${run}` }],
    },
    { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'XR Chest 2 Views' } },
  ])) as [string, string];
  host = await startWriteback(config, collector.bus);
  scenario = payloads();
  await writeAndWait([...Object.values(scenario), ...(await demoEnrichments(run))]);
  // An amended version of the first report: the first one's resources are retired (entered-in-error).
  const amended = enrichedReport(run, {
    index: 1,
    patient: { key: scenario.onServer!.report.patient.key, fhirReference: patient },
    sourceReference: sourceReport,
    reportVersion: 'amended:2024-05-03T09:00:00Z',
    reportedAt: '2024-05-03T09:00:00Z',
    labels: [{ label: 'pneumothorax', state: 'absent', source: 'model' }],
  });
  await writeAndWait([amended]);

  collected.push(...(await collect()));
  for (const resource of collected)
    writeFileSync(
      join(folder, `${resource.resourceType}-${resource.id}.json`),
      JSON.stringify(resource, null, 1),
    );
  // The transaction as the writeback sends it (urn:uuid references, conditional creates), validated as a Bundle.
  writeFileSync(
    join(folder, 'transaction-bundle.json'),
    JSON.stringify(
      buildWritebackBundle(scenario.onServer!, { identifierSystems: config.fhir.identifierSystems }),
    ),
  );
  // A negative control: the validator must still see a bare identifier system and a script in a narrative.
  writeFileSync(join(folder, NEGATIVE_CONTROL), JSON.stringify(brokenObservation));
  const all = await validateFolder(folder);
  const control = all.files.find((f) => f.file.endsWith(NEGATIVE_CONTROL));
  controlIssues = control?.issues ?? [];
  validation = { ...all, files: all.files.filter((f) => f !== control) };
  const issues = validation.files.flatMap((f) => f.issues);
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  const warnings = issues.filter((i) => i.severity === 'warning');
  const byId = (list: ValidatorIssue[]) => {
    const counts = new Map<string, number>();
    for (const issue of list) {
      const id = issue.messageId ?? issue.message.slice(0, 40);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return [...counts].map(([id, n]) => `${id} ${n}`).join(', ');
  };
  console.log(
    `FHIR conformance: ${collected.length} resources + 1 transaction bundle; ${errors.length} errors ` +
      `(${errors.filter((i) => ACCEPTED.some((a) => a.matches(i))).length} accepted), ${warnings.length} warnings ` +
      `(${byId(warnings)}); ` +
      `validator ${validation.wallMs} ms (validation ${validation.validateMs} ms); whole setup ${Date.now() - started} ms`,
  );
}, 420_000);

afterAll(async () => {
  await host?.close();
  await collector?.stop();
  // FHIR_CONFORMANCE_KEEP=1 keeps the resources for a look (infra/fhir-validator/fhir-validator.sh validate <folder>).
  if (process.env.FHIR_CONFORMANCE_KEEP) console.log(`FHIR conformance: resources kept in ${folder}`);
  else rmSync(folder, { recursive: true, force: true });
});

describe('the resources the writeback creates, checked by the HAPI FHIR validator', () => {
  it('collects every resource type the writeback writes, for every event', () => {
    const types = new Set(collected.map((r) => r.resourceType));
    expect([...types].sort()).toEqual(['Device', 'DiagnosticReport', 'Observation', 'Provenance', 'Task']);
    const reports = collected.filter((r) => r.resourceType === 'DiagnosticReport');
    expect(reports).toHaveLength(events.length); // one per event, the amended one's predecessor retired
    expect(validation.files).toHaveLength(collected.length + 1);
    expect(validation.failures).toEqual([]);
  });

  it("carries the draft check's edits on the AI report whose draft it changed (validated with the rest)", () => {
    const checked = collected.filter(
      (r) =>
        r.resourceType === 'DiagnosticReport' &&
        (r as { extension?: { url: string }[] }).extension?.some((e) => e.url.endsWith('/draft-check')),
    );
    expect(checked).toHaveLength(1);
    expect((checked[0] as { meta?: { tag?: { code?: string }[] } }).meta?.tag?.map((t) => t.code)).toContain(
      'draft-checked',
    );
  });

  it('is a validator that still finds what it must (negative control)', () => {
    const errors = controlIssues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
    expect(errors.map((i) => i.location)).toEqual(
      expect.arrayContaining(['Observation.subject.identifier', 'Observation.text.div']),
    );
  });

  it('has no validation errors but the accepted ones', () => {
    const unexpected = validation.files.flatMap(({ file, issues }) =>
      issues
        .filter((i) => i.severity === 'error' || i.severity === 'fatal')
        .filter((i) => !ACCEPTED.some((accepted) => accepted.matches(i)))
        .map((i) => `${file.split('/').pop()} ${i.location}: ${i.message} [${i.messageId}]`),
    );
    expect(unexpected).toEqual([]);
  });

  it('gives every resource a generated narrative the validator accepts', () => {
    for (const resource of collected)
      expect((resource as { text?: { status?: string } }).text?.status, resource.resourceType).toBe(
        'generated',
      );
    const narrativeIssues = validation.files.flatMap(({ issues }) =>
      issues.filter(
        (i) =>
          (/^[A-Za-z]+\.text\b/.test(i.location ?? '') || /dom-6|txt-/.test(i.messageId ?? '')) &&
          i.severity !== 'information',
      ),
    );
    expect(narrativeIssues).toEqual([]);
    const hostile = aiReportOf(scenario.hostile!);
    expect(hostile?.text?.div).toContain(
      'Small &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; pneumothorax',
    );
  });

  it('writes literal references only to resources that exist on the server', async () => {
    const literal = [...new Set(referencesIn(collected))].filter(
      (r) => !r.startsWith('urn:') && !r.startsWith('#'),
    );
    expect(literal.length).toBeGreaterThan(10);
    const dangling: string[] = [];
    for (const reference of literal) {
      const response = await fetch(`${config.fhir.baseUrl}/${reference}`, {
        headers: { accept: 'application/fhir+json' },
      });
      if (response.status !== 200) dangling.push(`${reference} (${response.status})`);
    }
    expect(dangling).toEqual([]);
    // Found on the server: by the source's id, or by the mapped identifier.
    expect(aiReportOf(scenario.onServer!)?.subject?.reference).toBe(patient);
    expect(aiReportOf(scenario.universalId!)?.subject).toMatchObject({
      reference: patient,
      identifier: { system: 'urn:oid:2.16.840.1.113883.19.5', value: `MRN-${run}` },
    });
    // Not there: no literal reference, the accession still names the source.
    const elsewhere = aiReportOf(scenario.elsewhere!);
    expect(elsewhere?.subject).toBeUndefined();
    expect(referencesIn(elsewhere)).not.toContain('Patient/example');
  });

  it('never writes a bare assigning authority as an identifier system', () => {
    expect(aiReportOf(scenario.bareAuthority!)?.subject?.identifier?.system).toBe(
      'urn:radflow:assigning-authority:GENHOSP',
    );
    const systems = JSON.stringify(collected).match(/"system":"[^"]*"/g) ?? [];
    expect(systems.filter((s) => !/^"system":"[a-z][a-z0-9+.-]*:/i.test(s))).toEqual([]);
  });

  it('codes the findings with SNOMED CT or RadLex beside the local code', () => {
    const pneumothorax = collected.find(
      (r): r is Observation => r.resourceType === 'Observation' && r.code.text === 'pneumothorax',
    );
    expect(pneumothorax?.code.coding?.map((c) => `${c.system}|${c.code}`)).toEqual([
      'urn:radflow:label:abnormality|pneumothorax',
      'http://snomed.info/sct|36118008',
      'http://www.radlex.org|RID5352',
    ]);
  });
});
