import { createHash, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig, repoRoot, type RadflowConfig } from '@radflow/config';
import { createEnvelope, Topics, type Envelope, type KafkaBus } from '@radflow/events';
import { startHost, type RunningHost } from '@radflow/platform';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { writebackApp } from '@radflow/writeback';

/** One test file's identity: every accession, trace id, model version and consumer group carries it. */
export function newRun(): string {
  return `wb${randomUUID().slice(0, 8)}`;
}

export interface WritebackRun {
  run: string;
  config: RadflowConfig;
  fhir: FhirProbe;
  /** The hashed patient key every report of this run carries. */
  patientKey: string;
}

export function newWritebackRun(): WritebackRun {
  const run = newRun();
  const config = writebackConfig(run);
  const patientKey = createHash('sha256').update(run).digest('hex').slice(0, 32);
  return { run, config, fhir: new FhirProbe(config.fhir.baseUrl), patientKey };
}

export function writebackConfig(run: string): RadflowConfig {
  return loadConfig({
    ...process.env,
    KAFKA_GROUP_PREFIX: `e2e-${run}`,
    LOG_LEVEL: 'warn',
    FHIR_TIMEOUT_MS: '3000',
  });
}

/**
 * Starts the writeback in-process, its fresh consumer group first moved to the end of the enriched topic:
 * what other runs left on the long-lived broker is theirs, not this test's.
 */
export async function startWriteback(config: RadflowConfig, bus: KafkaBus): Promise<RunningHost> {
  await bus.createTopics([
    Topics.reportEnriched,
    `${Topics.reportEnriched}.dlq`,
    Topics.outboundHl7v2,
    `${Topics.outboundHl7v2}.dlq`,
  ]);
  const admin = kafka(config).admin();
  await admin.connect();
  try {
    // Explicit offsets: kafkajs' resetOffsets(latest) commits -1, which a fromBeginning consumer reads as "earliest".
    const ends = await admin.fetchTopicOffsets(Topics.reportEnriched);
    await admin.setOffsets({
      groupId: `${config.kafka.groupPrefix}-writeback`,
      topic: Topics.reportEnriched,
      partitions: ends.map((end) => ({ partition: end.partition, offset: end.high })),
    });
  } finally {
    await admin.disconnect();
  }
  return startHost([writebackApp], config);
}

function kafka(config: RadflowConfig): Kafka {
  return new Kafka({
    clientId: 'e2e-writeback-admin',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
}

/** Resolves once the writeback group has committed every record now on the enriched topic. */
export async function waitUntilConsumed(config: RadflowConfig, timeoutMs = 90_000): Promise<void> {
  const admin = kafka(config).admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(Topics.reportEnriched);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [committed] = await admin.fetchOffsets({
        groupId: `${config.kafka.groupPrefix}-writeback`,
        topics: [Topics.reportEnriched],
      });
      const behind = ends.filter((end) => {
        const at = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        return BigInt(at) < BigInt(end.high);
      });
      if (behind.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`writeback still behind on partitions ${behind.map((b) => b.partition).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}

export interface ReportOptions {
  index: number;
  patient: { key: string; fhirReference?: string };
  sourceReference?: string;
  reportVersion?: string;
  reportedAt?: string;
  labels?: ReportEnrichedPayload['enrichment']['abnormalities'];
  devices?: ReportEnrichedPayload['enrichment']['devices'];
  procedureSystem?: string;
  degraded?: boolean;
}

/** An enriched report as the enricher emits it, with this run's accession and model version. */
export function enrichedReport(run: string, options: ReportOptions): ReportEnrichedPayload {
  const accession = `WB-${run}-${options.index}`;
  const reportedAt = options.reportedAt ?? '2024-05-02T11:00:00Z';
  return {
    report: {
      source: options.sourceReference
        ? { kind: 'fhir', messageId: options.sourceReference, fhirReference: options.sourceReference }
        : {
            kind: 'hl7v2',
            messageId: `MSG-${accession}`,
            sendingApplication: 'RIS',
            sendingFacility: 'GENHOSP',
          },
      reportId: `F-${accession}`,
      reportVersion: options.reportVersion ?? `final:${reportedAt}`,
      accession,
      patient: {
        key: options.patient.key,
        identifier: { system: 'urn:oid:2.16.840.1.113883.19.5', value: `MRN-${run}` },
        ...(options.patient.fhirReference ? { fhirReference: options.patient.fhirReference } : {}),
      },
      procedure: {
        code: '36643-5',
        system: options.procedureSystem ?? 'http://loinc.org',
        text: 'XR Chest 2 Views',
      },
      status: options.reportVersion?.startsWith('amended') ? 'amended' : 'final',
      observedAt: '2024-05-02T10:40:00Z',
      reportedAt,
      text: 'FINDINGS: Small right pneumothorax. IMPRESSION: Small right pneumothorax.',
      sections: { findings: 'Small right pneumothorax.', impression: 'Small right pneumothorax.' },
      unusedContent: [],
    },
    enrichment: {
      status: 'preliminary',
      aiGenerated: true,
      model: options.degraded
        ? { name: 'radflow-rules', version: `1.0.0-${run}` }
        : { name: 'radflow-cxr-small', version: `0.3.1-${run}` },
      degraded: options.degraded ?? false,
      ...(options.degraded
        ? { degradedReason: 'model timed out' }
        : { draftImpression: 'Small right apical pneumothorax.' }),
      abnormalities: options.labels ?? [
        { label: 'pneumothorax', state: 'present', source: 'model' },
        { label: 'pleural effusion', state: 'absent', source: 'model' },
      ],
      devices: options.devices ?? [],
      priority: { level: 'stat', reasons: ['pneumothorax present'] },
      generatedAt: '2024-05-02T11:00:02.000Z',
    },
  };
}

export function enrichedEvent(run: string, payload: ReportEnrichedPayload): Envelope<ReportEnrichedPayload> {
  return createEnvelope('rad.report.enriched', 1, payload, {
    sourceMessageId: payload.report.source.messageId,
    traceId: `${run}:${randomUUID()}`, // ids only: trace ids end up in logs
    producer: 'e2e',
  });
}

export async function publishEnriched(
  bus: KafkaBus,
  events: Envelope<ReportEnrichedPayload>[],
): Promise<void> {
  await bus.publish(
    Topics.reportEnriched,
    events.map((event) => ({
      key: event.payload.report.patient.key,
      value: JSON.stringify(event),
      headers: {
        'radflow-event-type': event.type,
        'radflow-trace-id': event.traceId,
        'content-type': 'application/json',
      },
    })),
  );
}

/** A small client for asserting what is on the FHIR server. */
export class FhirProbe {
  constructor(readonly baseUrl = loadConfig().fhir.baseUrl) {}

  async get<T = Record<string, unknown>>(path: string): Promise<T> {
    const response = await fetch(`${this.baseUrl}/${path}`, { headers: { accept: 'application/fhir+json' } });
    if (!response.ok) throw new Error(`GET ${path.split('?')[0]} answered ${response.status}`);
    return (await response.json()) as T;
  }

  async count(path: string): Promise<number> {
    const bundle = await this.get<{ total?: number }>(
      `${path}${path.includes('?') ? '&' : '?'}_summary=count`,
    );
    return bundle.total ?? -1;
  }

  async search<T>(path: string): Promise<T[]> {
    const bundle = await this.get<{ entry?: { resource: T }[] }>(path);
    return (bundle.entry ?? []).map((entry) => entry.resource);
  }

  /** Creates resources with plain creates (no conditions, so any number fits one transaction). */
  async create(resources: Record<string, unknown>[]): Promise<string[]> {
    const response = await fetch(this.baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: resources.map((resource) => ({
          resource,
          request: { method: 'POST', url: resource.resourceType },
        })),
      }),
    });
    if (!response.ok) throw new Error(`seeding the FHIR server answered ${response.status}`);
    const bundle = (await response.json()) as { entry: { response: { location: string } }[] };
    return bundle.entry.map((entry) =>
      entry.response.location
        .replace(/\/_history\/.*$/, '')
        .split('/')
        .slice(-2)
        .join('/'),
    );
  }
}

const execFileAsync = promisify(execFile);

/** The shared local FHIR server, through its own script (in-memory: a restart empties it). */
export async function fhirServer(command: 'start' | 'stop'): Promise<void> {
  await execFileAsync('bash', [`${repoRoot}infra/fhir-server.sh`, command], { timeout: 120_000 });
}

export const token = (system: string, value: string) => encodeURIComponent(`${system}|${value}`);
