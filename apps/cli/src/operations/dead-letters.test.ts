import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders, deadLetterRecord, type ConsumedRecord } from '@radflow/events';
import {
  deadLetterFrom,
  dlqTopicOf,
  findDeadLetter,
  groupDeadLetters,
  parseOffsetRef,
  REPLAYED_FROM_HEADER,
  replayRecord,
  selectForReplay,
  viewDeadLetter,
  type DeadLetter,
} from './dead-letters.ts';
import { OperationsError } from './operations-error.ts';
import { sinceMs } from './time-window.ts';

const DLQ = 'rad.inbound.hl7v2.v1.dlq';

/** A dead letter as KafkaBus writes it (deadLetterRecord), then read back from the .dlq topic. */
function dead(
  partition: number,
  offset: string,
  failure: { code: string; reason: string; stage?: string },
  failedAt: string,
  extraHeaders: Record<string, string> = {},
): DeadLetter {
  const written = deadLetterRecord(
    {
      topic: 'rad.inbound.hl7v2.v1',
      partition: 2,
      offset: '41',
      key: Buffer.from('sender-key'),
      value: Buffer.from('MSH|^~\\&|A|B|C|D|20250101||ORU^R01|CTRL1|P|2.5.1\rPID|1||MRN9^^^H^MR||DOE^JOHN'),
      headers: { 'radflow-trace-id': 't-1', 'x-sender-note': 'Doe John', ...extraHeaders },
    },
    { stage: 'ingest', ...failure },
    DLQ,
  );
  const headers = Object.fromEntries(
    Object.entries(written.headers).map(([name, value]) => [name, value.toString()]),
  );
  headers[DeadLetterHeaders.failedAt] = failedAt;
  const record: ConsumedRecord = {
    topic: DLQ,
    partition,
    offset,
    key: written.key,
    value: written.value,
    headers,
    timestamp: String(Date.parse(failedAt)),
  };
  return deadLetterFrom(record);
}

const a = dead(0, '5', { code: 'HL7_PARSE_ERROR', reason: 'no MSH' }, '2026-01-01T10:00:00.000Z');
const b = dead(1, '5', { code: 'HL7_PARSE_ERROR', reason: 'no MSH' }, '2026-01-01T09:00:00.000Z');
const c = dead(
  1,
  '6',
  { code: 'MISSING_ACCESSION', reason: 'no accession in OBR-3' },
  '2026-01-02T00:00:00.000Z',
  {
    [REPLAYED_FROM_HEADER]: `${DLQ}/0/1`,
  },
);

describe('dead letters', () => {
  it('reads the headers KafkaBus writes', () => {
    expect(a).toMatchObject({
      dlqTopic: DLQ,
      code: 'HL7_PARSE_ERROR',
      stage: 'ingest',
      sourceTopic: 'rad.inbound.hl7v2.v1',
      sourcePartition: 2,
      sourceOffset: '41',
    });
    expect(c.replayedFrom).toBe(`${DLQ}/0/1`);
    expect(dlqTopicOf('rad.inbound.hl7v2.v1')).toBe(DLQ);
    expect(dlqTopicOf(DLQ)).toBe(DLQ);
  });

  it('groups by topic, stage, code and reason with counts and first/last time, largest first', () => {
    expect(groupDeadLetters([c, a, b])).toEqual([
      {
        dlqTopic: DLQ,
        stage: 'ingest',
        code: 'HL7_PARSE_ERROR',
        reason: 'no MSH',
        count: 2,
        first: '2026-01-01T09:00:00.000Z',
        last: '2026-01-01T10:00:00.000Z',
        replays: 0,
      },
      expect.objectContaining({ code: 'MISSING_ACCESSION', count: 1, replays: 1 }),
    ]);
  });

  it('finds one by PARTITION:OFFSET, and asks for the partition when a bare offset is ambiguous', () => {
    expect(findDeadLetter([a, b, c], parseOffsetRef('1:5'), DLQ)).toBe(b);
    expect(findDeadLetter([a, b, c], parseOffsetRef('6'), DLQ)).toBe(c);
    expect(() => findDeadLetter([a, b, c], parseOffsetRef('5'), DLQ)).toThrow(/several partitions/);
    expect(() => findDeadLetter([a, b, c], parseOffsetRef('0:9'), DLQ)).toThrow(OperationsError);
    expect(() => parseOffsetRef('x:1')).toThrow(expect.objectContaining({ code: 'BAD_OFFSET' }));
  });

  it('replays nothing unless chosen; filters combine; a named offset must exist', () => {
    expect(() => selectForReplay([a, b, c], {}, DLQ)).toThrow(
      expect.objectContaining({ code: 'NO_SELECTION' }),
    );
    expect(selectForReplay([a, b, c], { all: true }, DLQ)).toHaveLength(3);
    expect(selectForReplay([a, b, c], { codes: ['HL7_PARSE_ERROR'] }, DLQ)).toEqual([a, b]);
    expect(
      selectForReplay([a, b, c], { codes: ['HL7_PARSE_ERROR'], offsets: [parseOffsetRef('1:6')] }, DLQ),
    ).toEqual([]);
    expect(selectForReplay([a, b, c], { offsets: [parseOffsetRef('0:5')] }, DLQ)).toEqual([a]);
    expect(() => selectForReplay([a], { offsets: [parseOffsetRef('3:3')] }, DLQ)).toThrow(/no dead letter/);
  });

  it('replays the original key, bytes and headers to the original topic, marked, without the failure headers', () => {
    const { topic, record } = replayRecord(c, new Date('2026-02-01T00:00:00Z'));
    expect(topic).toBe('rad.inbound.hl7v2.v1');
    expect(record.key).toEqual(Buffer.from('sender-key'));
    expect(record.value).toBe(c.record.value);
    expect(record.headers).toEqual({
      'radflow-trace-id': 't-1',
      'x-sender-note': 'Doe John',
      [REPLAYED_FROM_HEADER]: `${DLQ}/1/6`,
      'radflow-replayed-at': '2026-02-01T00:00:00.000Z',
    });
  });

  it('shows headers and a summary, never the bytes, the key or a foreign header', () => {
    const view = viewDeadLetter(a);
    const shown = JSON.stringify(view);
    expect(view.payload).toMatchObject({ kind: 'hl7v2', type: 'ORU^R01' });
    expect(view.headers['radflow-error-code']).toBe('HL7_PARSE_ERROR');
    expect(view.headers['x-sender-note']).toMatch(/not shown/);
    expect(view.key).toMatch(/not shown/);
    expect(shown).not.toMatch(/DOE|Doe|MRN9|sender-key/);
  });

  it('reads --since as a duration, a time or all', () => {
    const now = new Date('2026-01-10T00:00:00Z');
    expect(sinceMs('24h', now)).toBe(Date.parse('2026-01-09T00:00:00Z'));
    expect(sinceMs('7d', now)).toBe(Date.parse('2026-01-03T00:00:00Z'));
    expect(sinceMs('2026-01-05T00:00:00Z', now)).toBe(Date.parse('2026-01-05T00:00:00Z'));
    expect(sinceMs('all', now)).toBeUndefined();
    expect(() => sinceMs('yesterday', now)).toThrow(expect.objectContaining({ code: 'BAD_SINCE' }));
  });
});
