import { loadConfig } from '@radflow/config';
import { Topics, type ConsumedRecord } from '@radflow/events';
import { openDatabase } from '@radflow/store';
import { deadLetterFrom, replayKey } from '../operations/dead-letters.ts';
import { fhirResourcesFor } from '../operations/fhir-lookup.ts';
import { ledgerRowsFor } from '../operations/ledger-lookup.ts';
import { peekPayload, sha256Hex, type PayloadPeek } from '../operations/payload-peek.ts';
import { sinceMs } from '../operations/time-window.ts';
import { TopicReader } from '../operations/topic-reader.ts';
import {
  formatTrace,
  ledgerRowBelongsTo,
  type TopicSighting,
  type TraceFindings,
} from '../operations/trace-timeline.ts';
import { runOperation, type OperationsIo } from './dlq.ts';

export interface TraceOptions {
  /** How far back to read the topics (see time-window.ts); default 7d. */
  since?: string;
  /** false: skip the FHIR server (unreachable, or not wanted). */
  fhir?: boolean;
}

const INGEST_KIND: Record<string, string> = { [Topics.inboundHl7v2]: 'hl7v2', [Topics.inboundFhir]: 'fhir' };

/**
 * `radflow trace ID`: where one message is now. ID is an accession or a message id (MSH-10). The topics are read
 * only to match ids and hash bytes; what is printed is stages, times, outcomes, offsets and FHIR ids.
 */
export async function runTrace(
  id: string,
  options: TraceOptions = {},
  io: OperationsIo = {},
): Promise<number> {
  return runOperation(io, async () => {
    const config = io.config ?? loadConfig();
    const print = io.print ?? console.log;
    const reader = new TopicReader(config.kafka);
    let records: { record: ConsumedRecord; peek: PayloadPeek }[];
    try {
      const existing = await reader.topics();
      const topics = existing.filter(
        (topic) => topic in INGEST_KIND || topic === Topics.outboundHl7v2 || topic.endsWith('.dlq'),
      );
      const since = sinceMs(options.since ?? '7d', io.now?.() ?? new Date());
      records = (await reader.read(topics, since !== undefined ? { sinceMs: since } : {})).map((record) => ({
        record,
        peek: peekPayload(record.value ?? Buffer.alloc(0)),
      }));
    } finally {
      await reader.close();
    }

    // A message id stands for the accession of the message it names (the first the ORU reader would take).
    const accessions = new Set([id]);
    for (const { peek } of records)
      if (peek.messageId === id && peek.accessions[0]) accessions.add(peek.accessions[0]);
    const matches = (peek: PayloadPeek) =>
      peek.messageId === id || peek.accessions.some((accession) => accessions.has(accession));
    const matched = records.filter(({ peek }) => matches(peek));

    const sighting = ({ record, peek }: (typeof records)[number]): TopicSighting => ({
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      at: new Date(Number(record.timestamp)).toISOString(),
      ...(peek.type ? { type: peek.type } : {}),
      size: record.value?.length ?? 0,
    });
    const inbound = matched.filter(({ record }) => record.topic in INGEST_KIND);
    const deadLetters = matched
      .filter(({ record }) => record.topic.endsWith('.dlq'))
      .map(({ record }) => deadLetterFrom(record));
    const ingestKeys = inbound.map(
      ({ record }) => `${INGEST_KIND[record.topic]}:${sha256Hex(record.value ?? Buffer.alloc(0))}`,
    );

    const database = openDatabase(config.database.url, 2);
    const ledger = await ledgerRowsFor(database, {
      accessions: [...accessions],
      ingestKeys,
      replayKeys: deadLetters.map(replayKey),
    }).finally(() => database.end());
    const fhir = [];
    if (options.fhir !== false)
      for (const accession of accessions) fhir.push(...(await fhirResourcesFor(config.fhir, accession)));

    const findings: TraceFindings = {
      id,
      // The id itself counts as an accession only where something was found under it as one.
      accessions: [...accessions].filter(
        (accession) =>
          accession !== id ||
          matched.some(({ peek }) => peek.accessions.includes(id)) ||
          ledger.some((row) => ledgerRowBelongsTo(row, id)),
      ),
      ledger,
      inbound: inbound.map(sighting),
      outbound: matched.filter(({ record }) => record.topic === Topics.outboundHl7v2).map(sighting),
      deadLetters,
      fhir,
    };
    for (const line of formatTrace(findings)) print(line);
    const found =
      ledger.length + findings.inbound.length + findings.outbound.length + deadLetters.length + fhir.length;
    return found > 0 ? 0 : 1;
  });
}
