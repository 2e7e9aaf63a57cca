import {
  DeadLetterHeaders,
  deadLetterTopic,
  type ConsumedRecord,
  type OutgoingRecord,
} from '@radflow/events';
import { OperationsError } from './operations-error.ts';
import { summarizePayload, type PayloadSummary } from './payload-peek.ts';

/** Marks a replayed record: `<dlq topic>/<partition>/<offset>` of the dead letter it came from. */
export const REPLAYED_FROM_HEADER = 'radflow-replayed-from';
export const REPLAYED_AT_HEADER = 'radflow-replayed-at';
/** The ledger's consumer name for replays: one row per dead letter replayed (see replayKey). */
export const REPLAY_CONSUMER = 'dlq-replay';

/** One dead letter as read from a `.dlq` topic, its headers decoded. */
export interface DeadLetter {
  dlqTopic: string;
  partition: number;
  offset: string;
  /** When it was dead-lettered (the header, else the record's timestamp). */
  failedAt: string;
  code: string;
  reason: string;
  stage: string;
  sourceTopic: string;
  sourcePartition?: number;
  sourceOffset?: string;
  /** Set when this dead letter is a replayed record that failed again. */
  replayedFrom?: string;
  record: ConsumedRecord;
}

export function dlqTopicOf(topic: string): string {
  return topic.endsWith('.dlq') ? topic : deadLetterTopic(topic);
}

export function deadLetterFrom(record: ConsumedRecord): DeadLetter {
  const h = record.headers;
  const failedAt = h[DeadLetterHeaders.failedAt] ?? new Date(Number(record.timestamp) || 0).toISOString();
  const sourcePartition = h[DeadLetterHeaders.sourcePartition];
  return {
    dlqTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    failedAt,
    code: h[DeadLetterHeaders.errorCode] ?? 'UNKNOWN',
    reason: h[DeadLetterHeaders.errorReason] ?? '',
    stage: h[DeadLetterHeaders.stage] ?? 'unknown',
    // A dead letter without the header (written by hand, or by an older radflow) goes back where its name says.
    sourceTopic: h[DeadLetterHeaders.sourceTopic] ?? record.topic.replace(/\.dlq$/, ''),
    ...(sourcePartition !== undefined ? { sourcePartition: Number(sourcePartition) } : {}),
    ...(h[DeadLetterHeaders.sourceOffset] ? { sourceOffset: h[DeadLetterHeaders.sourceOffset] } : {}),
    ...(h[REPLAYED_FROM_HEADER] ? { replayedFrom: h[REPLAYED_FROM_HEADER] } : {}),
    record,
  };
}

/** The dead letter's own address, which is also its replay's idempotency key. */
export function replayKey(deadLetter: Pick<DeadLetter, 'dlqTopic' | 'partition' | 'offset'>): string {
  return `${deadLetter.dlqTopic}/${deadLetter.partition}/${deadLetter.offset}`;
}

export interface DeadLetterGroup {
  dlqTopic: string;
  stage: string;
  code: string;
  reason: string;
  count: number;
  first: string;
  last: string;
  /** How many of them are replays that failed again. */
  replays: number;
}

/** `dlq list`: one line per (topic, stage, code, reason), the largest first. */
export function groupDeadLetters(deadLetters: DeadLetter[]): DeadLetterGroup[] {
  const groups = new Map<string, DeadLetterGroup>();
  for (const d of deadLetters) {
    const id = JSON.stringify([d.dlqTopic, d.stage, d.code, d.reason]);
    const group = groups.get(id);
    if (!group) {
      groups.set(id, {
        dlqTopic: d.dlqTopic,
        stage: d.stage,
        code: d.code,
        reason: d.reason,
        count: 1,
        first: d.failedAt,
        last: d.failedAt,
        replays: d.replayedFrom ? 1 : 0,
      });
      continue;
    }
    group.count += 1;
    if (d.failedAt < group.first) group.first = d.failedAt;
    if (d.failedAt > group.last) group.last = d.failedAt;
    if (d.replayedFrom) group.replays += 1;
  }
  return [...groups.values()].sort(
    (a, b) => a.dlqTopic.localeCompare(b.dlqTopic) || b.count - a.count || a.last.localeCompare(b.last),
  );
}

/** A dead letter's place: `PARTITION:OFFSET`, or a bare OFFSET (then any partition holding it). */
export interface OffsetRef {
  partition?: number;
  offset: string;
}

export function parseOffsetRef(text: string): OffsetRef {
  const match = /^(?:(\d+):)?(\d+)$/.exec(text.trim());
  if (!match) {
    throw new OperationsError(
      `'${text}' is not a dead letter's offset`,
      'BAD_OFFSET',
      'give OFFSET or PARTITION:OFFSET, as `radflow dlq list` or `dlq show` print them',
    );
  }
  return { ...(match[1] !== undefined ? { partition: Number(match[1]) } : {}), offset: match[2]! };
}

function matchesRef(d: DeadLetter, ref: OffsetRef): boolean {
  return d.offset === ref.offset && (ref.partition === undefined || d.partition === ref.partition);
}

/** The one dead letter at ref; an ambiguous bare offset names the partitions to choose from. */
export function findDeadLetter(deadLetters: DeadLetter[], ref: OffsetRef, topic: string): DeadLetter {
  const found = deadLetters.filter((d) => matchesRef(d, ref));
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new OperationsError(
      `no dead letter at ${ref.partition ?? '*'}:${ref.offset} on ${topic}`,
      'DEAD_LETTER_NOT_FOUND',
      'run `radflow dlq list` for what the topic holds (a topic past its retention has dropped old records)',
    );
  }
  throw new OperationsError(
    `offset ${ref.offset} is on several partitions of ${topic} (${found.map((d) => d.partition).join(', ')})`,
    'AMBIGUOUS_OFFSET',
    `name one as PARTITION:OFFSET, e.g. ${found[0]!.partition}:${ref.offset}`,
  );
}

export interface ReplaySelection {
  /** Error codes (DeadLetterHeaders.errorCode) to replay. */
  codes?: string[];
  offsets?: OffsetRef[];
  all?: boolean;
}

/**
 * The dead letters a replay sends back. Nothing is chosen implicitly: `--all`, `--reason` or `--offset` must be
 * given (filters combine: `--reason X --offset 1:5` replays 1:5 only if its code is X). Every offset named must
 * exist, so a typo is an error rather than a silent no-op.
 */
export function selectForReplay(
  deadLetters: DeadLetter[],
  selection: ReplaySelection,
  topic: string,
): DeadLetter[] {
  const codes = selection.codes ?? [];
  const offsets = selection.offsets ?? [];
  if (!selection.all && codes.length === 0 && offsets.length === 0) {
    throw new OperationsError(
      'nothing chosen to replay',
      'NO_SELECTION',
      'name dead letters with --offset PARTITION:OFFSET, a code with --reason CODE, or replay every one with --all',
    );
  }
  for (const ref of offsets) findDeadLetter(deadLetters, ref, topic);
  return deadLetters.filter(
    (d) =>
      (codes.length === 0 || codes.includes(d.code)) &&
      (offsets.length === 0 || offsets.some((ref) => matchesRef(d, ref))),
  );
}

// Headers that describe the failure, not the message: dropped from the replayed record.
const FAILURE_HEADERS = new Set<string>([
  ...Object.values(DeadLetterHeaders),
  REPLAYED_FROM_HEADER,
  REPLAYED_AT_HEADER,
]);

/** The record a replay publishes: original topic, key and bytes, the original headers, and the replay mark. */
export function replayRecord(deadLetter: DeadLetter, now: Date): { topic: string; record: OutgoingRecord } {
  const value = deadLetter.record.value;
  if (value === null) {
    throw new OperationsError(
      `dead letter ${replayKey(deadLetter)} has no bytes to replay`,
      'EMPTY_DEAD_LETTER',
      'a tombstone carries nothing to process; leave it',
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(deadLetter.record.headers)) {
    if (!FAILURE_HEADERS.has(name)) headers[name] = header;
  }
  headers[REPLAYED_FROM_HEADER] = replayKey(deadLetter);
  headers[REPLAYED_AT_HEADER] = now.toISOString();
  return { topic: deadLetter.sourceTopic, record: { key: deadLetter.record.key, value, headers } };
}

/** `dlq show` without --bytes: headers an operator needs, sizes of the rest, and the payload's safe summary. */
export interface DeadLetterView {
  address: string;
  failedAt: string;
  stage: string;
  code: string;
  reason: string;
  source: string;
  replayedFrom?: string;
  headers: Record<string, string>;
  key: string;
  payload: PayloadSummary;
}

// Headers radflow itself writes (ids and codes, no PHI) are shown; anything else a producer added only by size.
const SHOWN_HEADER = /^(radflow-|content-type$|traceparent$|tracestate$)/;

export function viewDeadLetter(deadLetter: DeadLetter): DeadLetterView {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(deadLetter.record.headers).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    headers[name] = SHOWN_HEADER.test(name) ? value : `(${Buffer.byteLength(value)} bytes, not shown)`;
  }
  const key = deadLetter.record.key;
  return {
    address: replayKey(deadLetter),
    failedAt: deadLetter.failedAt,
    stage: deadLetter.stage,
    code: deadLetter.code,
    reason: deadLetter.reason,
    source: `${deadLetter.sourceTopic}/${deadLetter.sourcePartition ?? '?'}/${deadLetter.sourceOffset ?? '?'}`,
    ...(deadLetter.replayedFrom ? { replayedFrom: deadLetter.replayedFrom } : {}),
    headers,
    // The key may be the sender's (an MRN keyed by an interface engine): its size only.
    key: key === null ? '(none)' : `(${key.length} bytes, not shown)`,
    payload: summarizePayload(deadLetter.record.value),
  };
}
