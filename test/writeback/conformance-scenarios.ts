import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath, repoRoot } from '@radflow/config';
import { ReportEnricher, RulesFromLabelsLib, type ModelClient } from '@radflow/enrichment';
import { readInbound } from '@radflow/inbound';
import type { RadiologyReport, ReportEnrichedPayload } from '@radflow/schemas';

/**
 * The demo's inbound messages (test/fixtures/demo HL7 v2 and the US Core / FHIR core DiagnosticReport examples),
 * read and enriched the way the pipeline does it, with a stand-in for the model (its labels are the rule
 * labeler's present calls, its impression the report's own) so no ONNX model is needed: what the writeback
 * writes for the demo, as enriched events. `tag` makes accessions unique per run. The HL7 follow-up of the
 * ICU patient gets its first report as prior, so the temporal Observation is exercised too.
 */
export async function demoEnrichments(tag: string): Promise<ReportEnrichedPayload[]> {
  const rules = new RulesFromLabelsLib();
  const model: ModelClient = {
    async draft(report) {
      const reading = rules.read(report);
      const present = (calls: { label: string; state: string }[]) =>
        calls.filter((c) => c.state === 'present').map((c) => c.label);
      return {
        // Routed as the enricher routes (enrichment.model.route): the Provenance's author carries it as agent.role.
        model: { name: 'radflow-cxr-small', version: `0.3.1-${tag}`, route: 'serving' },
        draftImpression: report.sections.impression ?? 'No acute cardiopulmonary abnormality.',
        abnormalities: present(reading.abnormalities),
        devices: present(reading.devices),
      };
    },
  };
  const enricher = new ReportEnricher(model, rules, { deadlineMs: 5_000 });
  const reports = inboundReports(tag);
  const enriched: ReportEnrichedPayload[] = [];
  for (const report of reports) {
    const prior = reports.find(
      (candidate) =>
        candidate !== report &&
        candidate.patient.key === report.patient.key &&
        (candidate.reportedAt ?? '') < (report.reportedAt ?? ''),
    );
    enriched.push(await enricher.enrich(report, prior));
  }
  return enriched;
}

function inboundReports(tag: string): RadiologyReport[] {
  const demoDir = join(repoRoot, 'test/fixtures/demo');
  const fhirDir = dataPath('interop/fhir');
  const messages = [
    ...readdirSync(demoDir)
      .filter((file) => file.endsWith('.hl7'))
      .sort()
      .map((file) => ({
        kind: 'hl7v2' as const,
        bytes: Buffer.from(
          readFileSync(join(demoDir, file), 'latin1').replace(/\b(ACC|DEMO|PLC)(\d+)\b/g, `$1$2-${tag}`),
          'latin1',
        ),
      })),
    ...readdirSync(fhirDir)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => {
        const resource = JSON.parse(readFileSync(join(fhirDir, file), 'utf8')) as {
          id?: string;
          identifier?: { value?: string }[];
        };
        if (resource.id) resource.id = `${resource.id}-${tag}`;
        for (const identifier of resource.identifier ?? [])
          if (identifier.value) identifier.value = `${identifier.value}-${tag}`;
        return { kind: 'fhir' as const, bytes: Buffer.from(JSON.stringify(resource)) };
      }),
  ];
  return messages.flatMap((message) => {
    const outcome = readInbound(message.kind, message.bytes, {
      maxMessageBytes: 1 << 20,
      patientKeySalt: 'conformance',
    });
    return outcome.ok ? outcome.accepted : [];
  });
}
