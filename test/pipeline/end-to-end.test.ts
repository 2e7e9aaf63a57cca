import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnosticReport, Task } from '@medplum/fhirtypes';
import { defaultModelDir, loadConfig } from '@radflow/config';
import { enricherApp } from '@radflow/enricher';
import { Topics } from '@radflow/events';
import { gatewayApp, MllpListener } from '@radflow/gateway';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RunningHost } from '@radflow/platform';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { writebackApp } from '@radflow/writeback';
import { EventCollector } from '../support/event-collector.ts';
import { fhirSearch, waitForFhir } from '../support/fhir-search.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';
import { sendOverMllp } from '../support/mllp-client.ts';

const config = loadConfig({
  ...process.env,
  // The product's default model, whatever the test run pins for speed (npm test: radflow-cxr-small): after
  // `infra/run setup` that is radflow-cxr, so this file is the whole pipeline on the model a hospital gets.
  MODEL_DIR: defaultModelDir(),
  KAFKA_GROUP_PREFIX: `e2e-${randomUUID()}`,
  // Fresh groups start at the topics' ends (positioned before they join): this test publishes only once its host is
  // up, and replaying what earlier runs left on the long-lived broker cost minutes per file.
  KAFKA_START_FROM: 'latest',
  GATEWAY_HTTP_PORT: '0',
  GATEWAY_MLLP_PORT: '0',
  LOG_LEVEL: 'warn',
});
const manifest = JSON.parse(readFileSync(`${config.inference.modelDir}/radflow-model.json`, 'utf8')) as {
  name: string;
  version: string;
};
let host: RunningHost;
let collector: EventCollector;

beforeAll(async () => {
  collector = await EventCollector.start([Topics.reportEnriched, Topics.outboundHl7v2]);
  host = await startHost([gatewayApp, ingestApp, enricherApp, writebackApp], config);
});

afterAll(async () => {
  await host?.close();
  await collector?.stop();
});

function enrichedFor(accession: string) {
  return collector
    .waitFor(
      (r) => r.topic === Topics.reportEnriched && r.value!.toString().includes(`"accession":"${accession}"`),
    )
    .then(([record]) => collector.bus.decodeEvent<ReportEnrichedPayload>(record!).payload);
}

describe('HL7 over MLLP to enriched event and FHIR resources, on the real broker, database and FHIR server', () => {
  const runTag = randomUUID().slice(0, 8);
  const pneumothorax = uniqueHl7Sample('02-pneumothorax-stat.hl7', runTag);
  const firstIcu = uniqueHl7Sample('03-icu-lines-first.hl7', runTag);
  const followUp = uniqueHl7Sample('04-icu-lines-followup.hl7', runTag);

  it('acknowledges each message only once it is in Kafka', async () => {
    const port = host.app.get(MllpListener).port;
    for (const sample of [pneumothorax, firstIcu]) {
      const ack = await sendOverMllp(port, sample.bytes);
      expect(ack).toMatch(new RegExp(`MSA\\|AA\\|${sample.controlId}`));
    }
  });

  it('produces a preliminary, AI-generated enrichment with the model version and a stat priority', async () => {
    const { report, enrichment } = await enrichedFor(pneumothorax.accession);
    expect(report.status).toBe('final');
    expect(enrichment.status).toBe('preliminary');
    expect(enrichment.aiGenerated).toBe(true);
    expect(enrichment.degraded).toBe(false);
    expect(enrichment.model).toEqual({ name: manifest.name, version: manifest.version });
    // infra/run setup builds radflow-cxr before any test: the default is the pretrained model, not the small one.
    expect(enrichment.model.name).toBe('radflow-cxr');
    expect(enrichment.priority.level).toBe('stat');
    expect(enrichment.priority.reasons.join(' ')).toMatch(/pneumothorax/i);
    expect(enrichment.abnormalities.some((l) => l.label === 'pneumothorax' && l.state === 'present')).toBe(
      true,
    );
  });

  it('diffs a follow-up against the prior report of the same patient', async () => {
    await enrichedFor(firstIcu.accession); // the prior must be stored before the follow-up arrives
    const ack = await sendOverMllp(host.app.get(MllpListener).port, followUp.bytes);
    expect(ack).toContain('MSA|AA');
    const { enrichment } = await enrichedFor(followUp.accession);
    expect(enrichment.temporal?.priorAccession).toBe(firstIcu.accession);
    expect(
      enrichment.temporal?.labelDiff?.some(
        (change) => change.label === 'consolidation' && change.after === 'present',
      ),
    ).toBe(true);
  });

  it('writes a preliminary AIAST-labelled DiagnosticReport with its Observations, Task and Provenance to FHIR', async () => {
    const [aiReport] = await waitForFhir<DiagnosticReport>(
      `DiagnosticReport?identifier=${encodeURIComponent(`urn:radflow:accession|${pneumothorax.accession}`)}`,
    );
    expect(aiReport!.status).toBe('preliminary');
    expect(aiReport!.meta?.security).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'AIAST' })]),
    );
    expect(JSON.stringify(aiReport)).toContain(manifest.version);
    expect(aiReport!.result?.length ?? 0).toBeGreaterThan(0);
    const tasks = await waitForFhir<Task>(`Task?focus=DiagnosticReport/${aiReport!.id}`);
    expect(tasks[0]!.priority).toBe('stat');
    const provenance = await fhirSearch(`Provenance?target=DiagnosticReport/${aiReport!.id}`);
    expect(provenance.entry?.length ?? 0).toBeGreaterThan(0);
  });

  it('sends the AI results to the RIS as an ORU^R01 with preliminary OBX lines naming the model', async () => {
    const [oru] = await collector.waitFor(
      (r) => r.topic === Topics.outboundHl7v2 && r.value!.toString('latin1').includes(pneumothorax.accession),
    );
    const segments = oru!.value!.toString('latin1').split('\r');
    const obx = segments.filter((s) => s.startsWith('OBX|'));
    expect(obx.length).toBeGreaterThan(0);
    for (const line of obx) {
      const fields = line.split('|');
      expect(fields[11]).toBe('P');
      expect(`${fields[17]}${fields[18]}`).toContain(manifest.name);
    }
  });
});
