import { describe, expect, it } from 'vitest';
import {
  DeadLetterHeaders,
  EventValidator,
  SchemaValidationError,
  Topics,
  backoffDelayMs,
  createEnvelope,
  deadLetterRecord,
  deadLetterTopic,
  defaultRetryPolicy,
  describeFailure,
  isPermanent,
} from './index.ts';

const report = {
  source: { kind: 'hl7v2', messageId: 'MSG0001' },
  reportId: 'F123',
  reportVersion: 'F-20240101120000',
  accession: 'ACC123',
  patient: { key: 'a'.repeat(64) },
  procedure: { code: '36643-5', system: 'http://loinc.org', text: 'XR Chest 2V' },
  status: 'final',
  text: 'FINDINGS: Clear lungs. IMPRESSION: Normal.',
  sections: { findings: 'Clear lungs.', impression: 'Normal.' },
  unusedContent: [],
};

describe('event envelope and validation', () => {
  const validator: EventValidator = new EventValidator();

  it('accepts a well-formed finalized event', () => {
    const event = createEnvelope(
      'rad.report.finalized',
      1,
      { report },
      { sourceMessageId: 'MSG0001', producer: 'test' },
    );
    expect(() => validator.assertValidEvent(event)).not.toThrow();
    expect(event.traceId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects a payload that breaks its schema, naming the path but not the value', () => {
    const broken = { ...report, status: 'signed-by-dr-smith', accession: '' };
    const event = createEnvelope(
      'rad.report.finalized',
      1,
      { report: broken },
      { sourceMessageId: 'M', producer: 't' },
    );
    let thrown: unknown;
    try {
      validator.assertValidEvent(event);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SchemaValidationError);
    expect(isPermanent(thrown)).toBe(true);
    const message = (thrown as Error).message;
    expect(message).toContain('/report/status');
    expect(message).toContain('/report/accession');
    expect(message).not.toContain('dr-smith');
  });

  it('rejects an unknown event type', () => {
    const event = createEnvelope('rad.unknown', 1, {}, { sourceMessageId: 'M', producer: 't' });
    expect(() => validator.assertValidEvent(event)).toThrow(/no schema for event rad.unknown/);
  });
});

describe('dead letters and retries', () => {
  it('keeps the original bytes and says why', () => {
    const original = Buffer.from('MSH|^~\\&|garbage', 'latin1');
    const record = deadLetterRecord(
      {
        topic: Topics.inboundHl7v2,
        partition: 2,
        offset: '41',
        key: null,
        value: original,
        headers: { trace: 't1' },
      },
      { code: 'TRUNCATED', reason: 'message ends inside MSH', stage: 'ingest' },
      deadLetterTopic(Topics.inboundHl7v2),
    );
    expect(record.topic).toBe('rad.inbound.hl7v2.v1.dlq');
    expect(record.value?.equals(original)).toBe(true);
    expect(record.headers[DeadLetterHeaders.errorCode]).toBe('TRUNCATED');
    expect(record.headers[DeadLetterHeaders.sourceOffset]).toBe('41');
    expect(record.headers.trace).toBe('t1');
  });

  it('backs off exponentially up to the cap', () => {
    const noJitter = () => 1;
    expect(backoffDelayMs(defaultRetryPolicy, 1, noJitter)).toBe(200);
    expect(backoffDelayMs(defaultRetryPolicy, 3, noJitter)).toBe(800);
    expect(backoffDelayMs(defaultRetryPolicy, 30, noJitter)).toBe(5000);
    expect(backoffDelayMs(defaultRetryPolicy, 3, () => 0)).toBe(400);
  });

  it('describes anything thrown with a code', () => {
    expect(describeFailure(Object.assign(new Error('boom'), { code: 'ECONNREFUSED' }))).toEqual({
      code: 'ECONNREFUSED',
      reason: 'boom',
    });
    expect(describeFailure('weird')).toEqual({ code: 'UNKNOWN', reason: 'weird' });
  });
});
