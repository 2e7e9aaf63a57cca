import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readRequestBody } from './request-body.ts';

const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p, 'latin1')));

describe('readRequestBody', () => {
  it('keeps a body under the limit whole, whatever the chunking', async () => {
    expect(await readRequestBody(chunks('MSH|^~', '\\&|A\r', 'PID|1'), 100)).toEqual({
      bytes: Buffer.from('MSH|^~\\&|A\rPID|1', 'latin1'),
      totalBytes: 16,
      complete: true,
    });
  });

  it('keeps the first bytes of a longer body and counts the rest', async () => {
    const body = await readRequestBody(chunks('abcd', 'efgh', 'ijkl'), 6);
    expect(body.bytes.toString()).toBe('abcdef');
    expect(body.totalBytes).toBe(12);
    expect(body.complete).toBe(false);
  });

  it('is complete at exactly the limit and for an empty body', async () => {
    expect((await readRequestBody(chunks('abcdef'), 6)).complete).toBe(true);
    expect(await readRequestBody(chunks(), 6)).toEqual({
      bytes: Buffer.alloc(0),
      totalBytes: 0,
      complete: true,
    });
  });
});
