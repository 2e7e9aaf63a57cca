import { randomUUID } from 'node:crypto';
import { createLogger, type RadflowConfig } from '@radflow/config';
import { deadLetterTopic, KafkaBus, Topics } from '@radflow/events';
import { accessionIn } from './soak-samples.ts';
import type { Output, ReportCounts } from './soak-verdict.ts';

/**
 * Counts what the pipeline produced for each of the run's accessions: records on every output topic and its
 * dead-letter topic, read from the beginning by a fresh read_committed group (what a downstream reader sees), and the
 * FHIR resources written for it. Only ids are kept, never report content.
 */
const OUTPUT_OF_TOPIC: Record<string, Output> = {
  [Topics.reportFinalized]: 'finalized',
  [Topics.reportTriaged]: 'triaged',
  [Topics.reportEnriched]: 'enriched',
  [Topics.outboundHl7v2]: 'outbound ORU',
};
const DEAD_LETTER_TOPICS = [
  Topics.inboundHl7v2,
  Topics.reportFinalized,
  Topics.reportTriaged,
  Topics.reportEnriched,
  Topics.outboundHl7v2,
].map(deadLetterTopic);
const KAFKA_OUTPUTS = Object.values(OUTPUT_OF_TOPIC);
const FHIR_OUTPUTS = [
  'FHIR AI DiagnosticReport',
  'FHIR worklist Task',
  'FHIR AI review Task',
  'FHIR Provenance',
] as const satisfies Output[];
type FhirOutput = (typeof FHIR_OUTPUTS)[number];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SoakCounter {
  readonly counts = new Map<string, ReportCounts>();
  private lastRecordAt = 0;
  private lastOursAt = 0;
  private readonly bus: KafkaBus;

  constructor(
    private readonly config: RadflowConfig,
    private readonly run: string,
  ) {
    this.bus = new KafkaBus(config.kafka, createLogger('radflow-soak-counter', 'error'));
  }

  private entry(accession: string): ReportCounts {
    let entry = this.counts.get(accession);
    if (!entry) this.counts.set(accession, (entry = { outputs: {}, deadLetters: {} }));
    return entry;
  }

  async startReading(): Promise<void> {
    const topics = [...Object.keys(OUTPUT_OF_TOPIC), ...DEAD_LETTER_TOPICS];
    await this.bus.createTopics(topics);
    await this.bus.subscribe({
      groupId: `radflow-soak-count-${this.run}-${randomUUID().slice(0, 8)}`,
      stage: 'soak-counter',
      topics,
      startFrom: 'earliest', // from the beginning, filtered by this run's accessions
      ephemeral: true,
      // Offsets committed per batch, not per record: the topics hold every earlier run's records too (thousands on a
      // long-lived cluster), and a commit round trip per record made the count miss its deadline on a loaded machine.
      maxBatchRecords: 500,
      // Never throws: a failing handler would dead-letter the record it reads.
      handle: async (record) => {
        this.lastRecordAt = Date.now();
        const accession = accessionIn(record.value?.toString('latin1') ?? '', this.run);
        if (!accession) return;
        this.lastOursAt = Date.now();
        const entry = this.entry(accession);
        const output = OUTPUT_OF_TOPIC[record.topic];
        if (output) entry.outputs[output] = (entry.outputs[output] ?? 0) + 1;
        else entry.deadLetters[record.topic] = (entry.deadLetters[record.topic] ?? 0) + 1;
      },
    });
    // Quiet and stall are measured from here: the group has joined and reads from the beginning.
    this.lastRecordAt = this.lastOursAt = Date.now();
  }

  kafkaComplete(accessions: string[]): number {
    return accessions.filter((a) => KAFKA_OUTPUTS.every((o) => (this.counts.get(a)?.outputs[o] ?? 0) > 0))
      .length;
  }

  /**
   * Waits until every report has each Kafka output and nothing of the run arrived for `quietMs` (late duplicates
   * are counted too), or nothing at all arrived for `stallMs` (stuck: what is missing is lost), or the deadline.
   */
  async settleKafka(
    accessions: string[],
    options: { quietMs: number; stallMs: number; deadline: number; progress: (line: string) => void },
  ): Promise<void> {
    let lastReport = 0;
    for (;;) {
      const now = Date.now();
      const complete = this.kafkaComplete(accessions);
      if (now - lastReport > 10_000) {
        options.progress(`counting: ${complete}/${accessions.length} reports have every Kafka output`);
        lastReport = now;
      }
      if (complete === accessions.length && now - this.lastOursAt >= options.quietMs) return;
      if (now - this.lastRecordAt >= options.stallMs && now - this.lastOursAt >= options.stallMs) return;
      if (now > options.deadline) return;
      await sleep(500);
    }
  }

  /** FHIR resources per accession; passes again over reports still missing one until the deadline. */
  async countFhir(
    accessions: string[],
    options: { deadline: number; progress: (line: string) => void },
  ): Promise<void> {
    let pending = accessions;
    for (;;) {
      // One search per resource kind for 40 reports at a time (comma-separated values: OR), not one per report: the
      // in-memory server scans every resource of the kind for each search. A failed search (the server busy) leaves
      // its reports pending, searched again in the next pass.
      for (let i = 0; i < pending.length; i += FHIR_CHUNK)
        await this.countFhirOf(pending.slice(i, i + FHIR_CHUNK)).catch(() => undefined);
      pending = pending.filter((accession) => {
        const outputs = this.entry(accession).outputs;
        return FHIR_OUTPUTS.some((output) => (outputs[output] ?? 0) === 0);
      });
      options.progress(`FHIR: ${accessions.length - pending.length}/${accessions.length} reports complete`);
      if (pending.length === 0 || Date.now() > options.deadline) return;
      await sleep(10_000); // the searches load the server the writeback is still writing to
    }
  }

  /** The searches of the issue, per accession: identifier, _tag (letters and digits only: no escaping), focus, target. */
  private async countFhirOf(accessions: string[]): Promise<void> {
    const tokens = accessions.map((a) => encodeURIComponent(`urn:radflow:accession|${a}`)).join(',');
    const found = Object.fromEntries(FHIR_OUTPUTS.map((o) => [o, [] as string[]])) as Record<
      FhirOutput,
      string[]
    >;
    const accessionOfReport = new Map<string, string>();
    for (const report of await this.search(`DiagnosticReport?identifier=${tokens}`)) {
      const accession = accessionIn(JSON.stringify(report), this.run);
      if (!accession) continue;
      accessionOfReport.set(`DiagnosticReport/${report.id}`, accession);
      found['FHIR AI DiagnosticReport'].push(accession);
    }
    for (const task of await this.search(`Task?_tag=${tokens}`)) {
      const accession = accessionIn(JSON.stringify(task.meta?.tag ?? []), this.run);
      if (accession) found['FHIR worklist Task'].push(accession);
    }
    const reportRefs = [...accessionOfReport.keys()];
    for (let i = 0; i < reportRefs.length; i += FHIR_CHUNK) {
      const refs = reportRefs.slice(i, i + FHIR_CHUNK).join(',');
      for (const task of await this.search(`Task?focus=${refs}`)) {
        const accession = accessionOfReport.get(task.focus?.reference ?? '');
        if (accession) found['FHIR AI review Task'].push(accession);
      }
      for (const provenance of await this.search(`Provenance?target=${refs}`)) {
        // A Provenance may name several targets (the report and its Observations): counted once, by its report.
        const target = (provenance.target ?? []).find((t) => accessionOfReport.has(t.reference ?? ''));
        if (target) found['FHIR Provenance'].push(accessionOfReport.get(target.reference!)!);
      }
    }
    for (const accession of accessions) {
      const outputs = this.entry(accession).outputs;
      for (const output of FHIR_OUTPUTS)
        outputs[output] = found[output].filter((a) => a === accession).length;
    }
  }

  /** Every match, all pages. */
  private async search(query: string): Promise<FhirResource[]> {
    const resources: FhirResource[] = [];
    let url: string | undefined = `${this.config.fhir.baseUrl}/${query}&_count=1000`;
    while (url) {
      const response = await fetch(url, {
        headers: { accept: 'application/fhir+json' },
        signal: AbortSignal.timeout(60_000),
      });
      if (!response.ok) throw new Error(`FHIR search answered ${response.status}`);
      const bundle = (await response.json()) as {
        entry?: { resource: FhirResource }[];
        link?: { relation: string; url: string }[];
      };
      resources.push(...(bundle.entry ?? []).map((e) => e.resource));
      url = bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    return resources;
  }

  async stop(): Promise<void> {
    await this.bus.disconnect();
  }
}

const FHIR_CHUNK = 40;

/** The few fields of the searched resources the counting reads. */
interface FhirResource {
  id: string;
  meta?: { tag?: { system?: string; code?: string }[] };
  focus?: { reference?: string };
  target?: { reference?: string }[];
}
