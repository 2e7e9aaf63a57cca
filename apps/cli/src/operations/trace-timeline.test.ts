import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '@radflow/events';
import { deadLetterFrom } from './dead-letters.ts';
import {
  buildTimeline,
  formatTrace,
  ledgerKeyPatterns,
  ledgerRowBelongsTo,
  whereNow,
  type LedgerRow,
  type TraceFindings,
} from './trace-timeline.ts';

const row = (
  consumer: string,
  key: string,
  at: string,
  outcome: Record<string, unknown> = {},
): LedgerRow => ({
  consumer,
  key,
  state: 'done',
  outcome,
  processedAt: at,
  claimedAt: at,
  attempts: 1,
});

const passed: TraceFindings = {
  id: 'ACC1',
  accessions: ['ACC1'],
  inbound: [
    {
      topic: 'rad.inbound.hl7v2.v1',
      partition: 0,
      offset: '7',
      at: '2026-01-01T00:00:00.000Z',
      type: 'ORU^R01',
      size: 900,
    },
  ],
  ledger: [
    row('writeback', 'ACC1/1/radflow-cxr-small@0.1.0', '2026-01-01T00:00:04.000Z', {
      created: 9,
      alreadyPresent: 0,
    }),
    row('ingest', `hl7v2:${'a'.repeat(64)}`, '2026-01-01T00:00:01.000Z', { accepted: 1, skipped: 0 }),
    row('triage', 'ACC1|1', '2026-01-01T00:00:02.000Z', { eventId: 'e1', priority: 'routine' }),
    row('enricher', 'ACC1|1', '2026-01-01T00:00:03.000Z', { eventId: 'e2', degraded: false }),
    row('worklist-task', 'ACC1/1', '2026-01-01T00:00:02.500Z', { created: 1 }),
  ],
  outbound: [
    {
      topic: 'rad.outbound.hl7v2.v1',
      partition: 1,
      offset: '3',
      at: '2026-01-01T00:00:04.100Z',
      type: 'ORU^R01',
      size: 500,
    },
  ],
  deadLetters: [],
  fhir: [
    {
      resourceType: 'DiagnosticReport',
      id: 'dr1',
      status: 'preliminary',
      lastUpdated: '2026-01-01T00:00:04.050Z',
      tags: ['ai-generated'],
    },
  ],
};

function deadLetterRecord(offset: string, failedAt: string): ConsumedRecord {
  return {
    topic: 'rad.inbound.hl7v2.v1.dlq',
    partition: 0,
    offset,
    key: null,
    value: Buffer.from('MSH|^~\\&|X'),
    headers: {
      'radflow-error-code': 'MISSING_OBR',
      'radflow-error-reason': 'no OBR segment',
      'radflow-stage': 'ingest',
      'radflow-source-topic': 'rad.inbound.hl7v2.v1',
      'radflow-failed-at': failedAt,
    },
    timestamp: String(Date.parse(failedAt)),
  };
}

describe('trace', () => {
  it('finds each stage’s ledger key of an accession, exactly', () => {
    expect(ledgerKeyPatterns('A_1%')).toEqual({ versionKey: 'A\\_1\\%|%', slashKey: 'A\\_1\\%25/%' });
    expect(ledgerRowBelongsTo({ consumer: 'triage', key: 'ACC1|1' }, 'ACC1')).toBe(true);
    expect(ledgerRowBelongsTo({ consumer: 'triage', key: 'ACC10|1' }, 'ACC1')).toBe(false);
    expect(ledgerRowBelongsTo({ consumer: 'worklist-task', key: 'A%2FB/2' }, 'A/B')).toBe(true);
    expect(ledgerRowBelongsTo({ consumer: 'worklist-task', key: 'ACC1/1/m@1' }, 'ACC1')).toBe(false);
    expect(ledgerRowBelongsTo({ consumer: 'writeback', key: 'ACC1/1/m@1' }, 'ACC1')).toBe(true);
    expect(ledgerRowBelongsTo({ consumer: 'ingest', key: 'ACC1|1' }, 'ACC1')).toBe(false);
  });

  it('orders what happened in time, with stage, outcome and what was written', () => {
    const timeline = buildTimeline(passed);
    expect(timeline.map((entry) => entry.stage)).toEqual([
      'inbound',
      'ingest',
      'triage',
      'worklist-task',
      'enricher',
      'writeback',
      'fhir',
      'outbound',
    ]);
    expect(timeline[1]).toMatchObject({ outcome: 'done', detail: expect.stringContaining('accepted=1') });
    expect(timeline[5]!.detail).toContain('model radflow-cxr-small@0.1.0');
    expect(timeline[6]!.detail).toBe('DiagnosticReport/dr1 preliminary [ai-generated]');
    expect(whereNow(passed)).toMatch(/^written back/);
    const lines = formatTrace(passed);
    expect(lines[0]).toBe('trace ACC1');
    expect(lines.at(-1)).toMatch(/^now: written back/);
  });

  it('says which DLQ holds a message and why, until it is replayed', () => {
    const deadLetter = deadLetterFrom(deadLetterRecord('12', '2026-01-01T00:00:01.000Z'));
    const held: TraceFindings = { ...passed, ledger: [], outbound: [], fhir: [], deadLetters: [deadLetter] };
    expect(whereNow(held)).toBe(
      'dead-lettered at ingest (MISSING_OBR) on rad.inbound.hl7v2.v1.dlq: no OBR segment; replay with `radflow dlq replay rad.inbound.hl7v2.v1.dlq --offset 0:12`',
    );
    const replayed: TraceFindings = {
      ...held,
      ledger: [
        row('dlq-replay', 'rad.inbound.hl7v2.v1.dlq/0/12', '2026-01-01T00:01:00.000Z', {
          topic: 'rad.inbound.hl7v2.v1',
        }),
      ],
    };
    expect(whereNow(replayed)).toMatch(/replayed from its dead-letter topic/);
    expect(buildTimeline(replayed).map((e) => e.outcome)).toEqual([
      'received',
      'dead-lettered MISSING_OBR',
      'replayed',
    ]);
  });

  it('tells skipped reports, work in progress and unknown ids apart', () => {
    const skipped = {
      ...passed,
      outbound: [],
      fhir: [],
      ledger: [
        row('ingest', 'hl7v2:x', '2026-01-01T00:00:01.000Z', {
          accepted: 0,
          skipped: 1,
          skipCodes: ['NOT_CHEST_XRAY'],
        }),
      ],
    };
    expect(whereNow(skipped)).toMatch(/skipped.*NOT_CHEST_XRAY/);
    const running = {
      ...skipped,
      ledger: [{ ...row('enricher', 'ACC1|1', ''), state: 'in_progress' as const, attempts: 2 }],
    };
    expect(whereNow(running)).toBe('being processed by enricher (attempt 2)');
    const none: TraceFindings = {
      id: 'X',
      accessions: [],
      ledger: [],
      inbound: [],
      outbound: [],
      deadLetters: [],
      fhir: [],
    };
    expect(whereNow(none)).toMatch(/^not found/);
  });
});
