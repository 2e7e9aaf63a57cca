import { escapeKeyPart, parseWritebackKey } from '@radflow/fhir';
import type { DeadLetter } from './dead-letters.ts';
import { replayKey } from './dead-letters.ts';

/** One row of the idempotency ledger (libs/store IdempotencyLedger), as `trace` reads it. */
export interface LedgerRow {
  consumer: string;
  key: string;
  state: 'in_progress' | 'done';
  outcome: Record<string, unknown>;
  processedAt: string | null;
  claimedAt: string | null;
  attempts: number;
}

/** A record found on a topic for the traced message, described without its content. */
export interface TopicSighting {
  topic: string;
  partition: number;
  offset: string;
  at: string;
  type?: string;
  size: number;
}

export interface FhirSighting {
  resourceType: string;
  id: string;
  status?: string;
  lastUpdated?: string;
  /** radflow's tag codes on it (ai-generated, rule-based, superseded, worklist-priority…): no free text. */
  tags: string[];
}

export interface TraceFindings {
  id: string;
  /** The accessions the id stands for (itself, or those of the message it names). */
  accessions: string[];
  ledger: LedgerRow[];
  inbound: TopicSighting[];
  outbound: TopicSighting[];
  deadLetters: DeadLetter[];
  fhir: FhirSighting[];
}

export interface TimelineEntry {
  at: string;
  stage: string;
  outcome: string;
  detail: string;
}

/** Ledger keys of each stage for one accession (see the *.service.ts of ingest, triage, enricher, writeback). */
export const ACCESSION_KEYED_CONSUMERS = ['triage', 'enricher', 'worklist-task', 'writeback'] as const;

/** SQL LIKE patterns that find an accession's ledger rows; belongsTo() then checks each row exactly. */
export function ledgerKeyPatterns(accession: string): { versionKey: string; slashKey: string } {
  const like = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return {
    // triage and enricher: `<accession>|<reportVersion>`
    versionKey: `${like(accession)}|%`,
    // worklist-task `<accession>/<reportVersion>`, writeback `<accession>/<reportVersion>/<model>`, escaped parts
    slashKey: `${like(escapeKeyPart(accession))}/%`,
  };
}

export function ledgerRowBelongsTo(row: Pick<LedgerRow, 'consumer' | 'key'>, accession: string): boolean {
  switch (row.consumer) {
    case 'triage':
    case 'enricher':
      return row.key.startsWith(`${accession}|`) && !row.key.slice(accession.length + 1).includes('|');
    case 'worklist-task': {
      const parts = row.key.split('/');
      return parts.length === 2 && safeUnescape(parts[0]!) === accession;
    }
    case 'writeback':
      return parseWritebackKeySafe(row.key)?.accession === accession;
    default:
      return false;
  }
}

function safeUnescape(part: string): string | undefined {
  try {
    return decodeURIComponent(part); // libs/fhir unescapeKeyPart: every literal % was escaped
  } catch {
    return undefined;
  }
}

function parseWritebackKeySafe(key: string) {
  try {
    return parseWritebackKey(key);
  } catch {
    return undefined;
  }
}

/** What a ledger key says about the work, minus the accession the operator already has. */
function keyDetail(row: LedgerRow): string {
  switch (row.consumer) {
    case 'triage':
    case 'enricher':
      return `report version ${row.key.slice(row.key.indexOf('|') + 1)}`;
    case 'worklist-task':
      return `report version ${safeUnescape(row.key.split('/')[1] ?? '') ?? '?'}`;
    case 'writeback': {
      const parts = parseWritebackKeySafe(row.key);
      return parts ? `report version ${parts.reportVersion}, model ${parts.model}` : '';
    }
    case 'ingest':
      return `content ${row.key.slice(0, row.key.indexOf(':') + 13)}…`;
    case 'dlq-replay':
      return `of ${row.key}`;
    default:
      return '';
  }
}

/** The ledger outcomes hold counts, codes and event ids; only scalars are printed, in case one ever holds more. */
function outcomeText(outcome: Record<string, unknown>): string {
  const scalars = Object.entries(outcome).filter(
    ([, value]) =>
      ['number', 'boolean'].includes(typeof value) || (typeof value === 'string' && value.length <= 64),
  );
  const codes = Array.isArray(outcome.skipCodes) ? ` skipCodes=${outcome.skipCodes.join(',')}` : '';
  return scalars.map(([name, value]) => `${name}=${String(value)}`).join(' ') + codes;
}

export function buildTimeline(findings: TraceFindings): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const sighting of findings.inbound) {
    entries.push({
      at: sighting.at,
      stage: 'inbound',
      outcome: 'received',
      detail:
        `${sighting.topic}/${sighting.partition}/${sighting.offset} ${sighting.type ?? ''} ${sighting.size} bytes`.replace(
          /\s+/g,
          ' ',
        ),
    });
  }
  for (const row of findings.ledger) {
    const detail = [
      keyDetail(row),
      outcomeText(row.outcome),
      row.attempts > 1 ? `attempts=${row.attempts}` : '',
    ]
      .filter((part) => part !== '')
      .join('; ');
    entries.push({
      at: row.processedAt ?? row.claimedAt ?? '',
      stage: row.consumer,
      outcome:
        row.consumer === 'dlq-replay'
          ? row.state === 'done'
            ? 'replayed'
            : 'replaying'
          : stateText(row.state),
      detail,
    });
  }
  for (const d of findings.deadLetters) {
    entries.push({
      at: d.failedAt,
      stage: d.stage,
      outcome: `dead-lettered ${d.code}`,
      detail: `${replayKey(d)}: ${d.reason}`,
    });
  }
  for (const sighting of findings.outbound) {
    entries.push({
      at: sighting.at,
      stage: 'outbound',
      outcome: 'sent',
      detail: `${sighting.topic}/${sighting.partition}/${sighting.offset} ${sighting.type ?? ''}`.trim(),
    });
  }
  for (const resource of findings.fhir) {
    entries.push({
      at: resource.lastUpdated ?? '',
      stage: 'fhir',
      outcome: 'written',
      detail: `${resource.resourceType}/${resource.id}${resource.status ? ` ${resource.status}` : ''}${
        resource.tags.length > 0 ? ` [${resource.tags.join(', ')}]` : ''
      }`,
    });
  }
  // Undated entries (a claim never timed) go last; ties keep pipeline order.
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => (a.entry.at || '~').localeCompare(b.entry.at || '~') || a.index - b.index)
    .map(({ entry }) => entry);
}

function stateText(state: LedgerRow['state']): string {
  return state === 'done' ? 'done' : 'in progress';
}

const PIPELINE = ['ingest', 'triage', 'worklist-task', 'enricher', 'writeback'] as const;

/** One line: where the message is now. */
export function whereNow(findings: TraceFindings): string {
  const replayed = new Set(
    findings.ledger
      .filter((row) => row.consumer === 'dlq-replay' && row.state === 'done')
      .map((row) => row.key),
  );
  const held = findings.deadLetters.filter((d) => !replayed.has(replayKey(d)));
  const done = (consumer: string) =>
    findings.ledger.some((r) => r.consumer === consumer && r.state === 'done');
  const running = findings.ledger.filter((r) => r.state === 'in_progress' && r.consumer !== 'dlq-replay');
  if (done('writeback'))
    return findings.outbound.length > 0
      ? 'written back: AI results on the FHIR server and the outbound ORU sent'
      : 'written back to the FHIR server (its outbound ORU is not on the topic within the time searched)';
  if (held.length > 0) {
    const latest = held.reduce((a, b) => (a.failedAt > b.failedAt ? a : b));
    return `dead-lettered at ${latest.stage} (${latest.code}) on ${latest.dlqTopic}: ${latest.reason}; replay with \`radflow dlq replay ${latest.dlqTopic} --offset ${latest.partition}:${latest.offset}\``;
  }
  if (running.length > 0)
    return `being processed by ${running.map((r) => `${r.consumer} (attempt ${r.attempts})`).join(', ')}`;
  const reached = [...PIPELINE].reverse().find((stage) => done(stage));
  if (!reached) {
    if (findings.deadLetters.length > 0)
      return 'replayed from its dead-letter topic, not yet processed again';
    return findings.inbound.length > 0
      ? 'received, not yet ingested'
      : 'not found in the ledger, on the inbound, outbound or dead-letter topics, or on the FHIR server';
  }
  const ingest = findings.ledger.find((r) => r.consumer === 'ingest');
  if (reached === 'ingest' && ingest && ingest.outcome.accepted === 0)
    return `ingested and skipped (not a finalized chest X-ray report)${outcomeText(ingest.outcome) ? `: ${outcomeText(ingest.outcome)}` : ''}`;
  const pending = PIPELINE.filter((stage) => !done(stage) && stage !== 'ingest');
  return `passed ${reached}; waiting for ${pending.join(', ') || 'nothing'}`;
}

export function formatTrace(findings: TraceFindings): string[] {
  const lines = [
    `trace ${findings.id}${
      findings.accessions.length > 0 &&
      !(findings.accessions.length === 1 && findings.accessions[0] === findings.id)
        ? ` (accession ${findings.accessions.join(', ')})`
        : ''
    }`,
  ];
  for (const entry of buildTimeline(findings)) {
    lines.push(
      `  ${(entry.at || '(no time)').padEnd(24)}  ${entry.stage.padEnd(13)}  ${entry.outcome.padEnd(12)}  ${entry.detail}`,
    );
  }
  lines.push(`now: ${whereNow(findings)}`);
  return lines;
}
