import { describe, expect, it } from 'vitest';
import { consumedRecord } from './consumed-record.ts';

describe('consumedRecord', () => {
  it('keeps the bytes and turns every header into a string, a missing value into the empty string', () => {
    const key = Buffer.from('ACC-1');
    const value = Buffer.from('{"type":"x"}');
    const record = consumedRecord('rad.report.finalized.v1', 2, {
      offset: '41',
      key,
      value,
      timestamp: '1700000000000',
      attributes: 0,
      headers: { 'radflow-event-type': Buffer.from('x'), plain: 'y', missing: undefined },
    });
    expect(record).toEqual({
      topic: 'rad.report.finalized.v1',
      partition: 2,
      offset: '41',
      key,
      value,
      headers: { 'radflow-event-type': 'x', plain: 'y', missing: '' },
      timestamp: '1700000000000',
    });
    expect(record.value).toBe(value);
  });

  it('reads an old-format message (a message set entry, no headers) as no headers', () => {
    const message = { offset: '0', key: null, value: null, timestamp: '0', attributes: 0, size: 0 };
    const record = consumedRecord('t', 0, message);
    expect(record.headers).toEqual({});
  });
});
