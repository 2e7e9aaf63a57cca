import { describe, expect, it } from 'vitest';
import { MllpDeframer, frameMllp, unframeMllp } from './mllp.ts';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('MLLP framing', () => {
  it('frames and unframes', () => {
    const framed = frameMllp('MSH|^~\\&|A\r');
    expect([...framed.slice(0, 1), ...framed.slice(-2)]).toEqual([0x0b, 0x1c, 0x0d]);
    const inner = unframeMllp(framed);
    expect(inner instanceof Uint8Array && text(inner)).toBe('MSH|^~\\&|A\r');
  });

  it('types frames without start or end block', () => {
    const noEnd = unframeMllp(new Uint8Array([0x0b, 0x4d]));
    expect(noEnd instanceof Uint8Array ? 'bytes' : noEnd.code).toBe('TRUNCATED');
    const noStart = unframeMllp(new Uint8Array([0x4d, 0x1c, 0x0d]));
    expect(noStart instanceof Uint8Array ? 'bytes' : noStart.code).toBe('NOT_HL7');
  });
});

describe('MllpDeframer', () => {
  const two = new Uint8Array([...frameMllp('MSH|one\r'), ...frameMllp('MSH|two\r')]);

  it('yields the same messages for every way a socket can chunk the stream', () => {
    for (let size = 1; size <= two.length; size++) {
      const deframer = new MllpDeframer({ maxMessageBytes: 1000 });
      const events = [];
      for (let i = 0; i < two.length; i += size) events.push(...deframer.push(two.subarray(i, i + size)));
      events.push(...deframer.end());
      expect(
        events.map((e) => (e.kind === 'message' ? text(e.payload) : e.error.code)),
        `chunk ${size}`,
      ).toEqual(['MSH|one\r', 'MSH|two\r']);
    }
  });

  it('accepts frames that end with 0x1C alone', () => {
    const deframer = new MllpDeframer({ maxMessageBytes: 1000 });
    const events = deframer.push(new Uint8Array([0x0b, 0x41, 0x1c, 0x0b, 0x42, 0x1c]));
    expect(events.map((e) => (e.kind === 'message' ? text(e.payload) : e.error.code))).toEqual(['A', 'B']);
  });

  it('reports stray bytes, oversized frames and a frame cut by a closed connection, keeping the bytes', () => {
    const deframer = new MllpDeframer({ maxMessageBytes: 4 });
    const events = [
      ...deframer.push(new TextEncoder().encode('junk')),
      ...deframer.push(frameMllp('TOO LONG')),
      ...deframer.push(frameMllp('ok')),
      ...deframer.push(new Uint8Array([0x0b, 0x41, 0x42])),
      ...deframer.end(),
    ];
    expect(
      events.map((e) =>
        e.kind === 'message' ? `msg:${text(e.payload)}` : `${e.error.code}:${text(e.bytes)}`,
      ),
    ).toEqual(['NOT_HL7:junk', 'OVERSIZED:TOO ', 'msg:ok', 'TRUNCATED:AB']);
  });
});
