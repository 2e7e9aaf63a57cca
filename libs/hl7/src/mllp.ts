import { InboundMessageError } from '@radflow/reports';

/** MLLP: <VT> message <FS><CR>. */
export const MLLP_START = 0x0b;
export const MLLP_END = 0x1c;
export const MLLP_CR = 0x0d;

/** Wrap a message in an MLLP frame (strings are encoded as UTF-8). */
export function frameMllp(message: Uint8Array | string): Uint8Array {
  const body = typeof message === 'string' ? new TextEncoder().encode(message) : message;
  const framed = new Uint8Array(body.length + 3);
  framed[0] = MLLP_START;
  framed.set(body, 1);
  framed[body.length + 1] = MLLP_END;
  framed[body.length + 2] = MLLP_CR;
  return framed;
}

/** The message inside one complete MLLP frame; a frame without its end block is TRUNCATED. */
export function unframeMllp(frame: Uint8Array): Uint8Array | InboundMessageError {
  let start = 0;
  while (start < frame.length && isWhitespace(frame[start])) start++;
  if (frame[start] !== MLLP_START)
    return new InboundMessageError('NOT_HL7', 'MLLP frame does not begin with the start block (0x0B)');
  const end = frame.indexOf(MLLP_END, start + 1);
  if (end < 0) return new InboundMessageError('TRUNCATED', 'MLLP frame has no end block (0x1C)');
  return frame.subarray(start + 1, end);
}

export type MllpEvent =
  | { kind: 'message'; payload: Uint8Array }
  /** Bytes that are not a usable message, kept for the dead-letter record. */
  | { kind: 'error'; error: InboundMessageError; bytes: Uint8Array };

export interface MllpDeframerOptions {
  /** Largest message accepted; a longer frame is reported OVERSIZED and skipped to its end block. */
  maxMessageBytes: number;
}

/**
 * Turns a socket's chunks into MLLP messages, whatever the chunking: frames split across chunks, several frames
 * in one chunk, a 0x1C/0x0D pair split between chunks, senders that omit the trailing 0x0D. Bytes between
 * frames (other than whitespace) are reported, not dropped; memory stays bounded by maxMessageBytes.
 */
export class MllpDeframer {
  private readonly max: number;
  private buffer: Uint8Array[] = [];
  private size = 0;
  private state: 'between' | 'inside' | 'oversized' = 'between';
  private garbage: number[] = [];
  private oversizedKept: Uint8Array | undefined;
  private oversizedTotal = 0;
  private pendingCr = false;

  constructor(options: MllpDeframerOptions) {
    this.max = options.maxMessageBytes;
  }

  push(chunk: Uint8Array): MllpEvent[] {
    const events: MllpEvent[] = [];
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (chunk[0] === MLLP_CR) i = 1;
    }
    while (i < chunk.length) {
      if (this.state === 'between') {
        const start = chunk.indexOf(MLLP_START, i);
        const stop = start < 0 ? chunk.length : start;
        for (let k = i; k < stop; k++) {
          const b = chunk[k] ?? 0;
          if (!isWhitespace(b) && this.garbage.length < this.max) this.garbage.push(b);
        }
        if (start < 0) break;
        this.flushGarbage(events);
        this.state = 'inside';
        i = start + 1;
        continue;
      }
      const end = chunk.indexOf(MLLP_END, i);
      const stop = end < 0 ? chunk.length : end;
      this.take(chunk.subarray(i, stop));
      if (end < 0) break;
      events.push(this.finishFrame());
      i = end + 1;
      if (i < chunk.length) {
        if (chunk[i] === MLLP_CR) i++;
      } else {
        this.pendingCr = true;
      }
    }
    return events;
  }

  /** The connection closed: whatever is left is a truncated frame or stray bytes. */
  end(): MllpEvent[] {
    const events: MllpEvent[] = [];
    this.flushGarbage(events);
    if (this.state === 'inside') {
      events.push({
        kind: 'error',
        error: new InboundMessageError('TRUNCATED', 'connection closed inside an MLLP frame'),
        bytes: this.drain(),
      });
    } else if (this.state === 'oversized') {
      events.push(this.oversizedEvent());
    }
    this.state = 'between';
    return events;
  }

  private take(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.state === 'oversized') {
      this.oversizedTotal += bytes.length;
      return;
    }
    if (this.size + bytes.length > this.max) {
      // Keep the frame's first maxMessageBytes (its MSH among them) for the ACK and the dead-letter record.
      const total = this.size + bytes.length;
      this.buffer.push(bytes.slice(0, this.max - this.size));
      this.size = this.max;
      this.oversizedKept = this.drain();
      this.oversizedTotal = total;
      this.state = 'oversized';
      return;
    }
    this.buffer.push(bytes.slice());
    this.size += bytes.length;
  }

  private finishFrame(): MllpEvent {
    if (this.state === 'oversized') {
      this.state = 'between';
      return this.oversizedEvent();
    }
    this.state = 'between';
    return { kind: 'message', payload: this.drain() };
  }

  private oversizedEvent(): MllpEvent {
    const kept = this.oversizedKept ?? new Uint8Array(0);
    const total = this.oversizedTotal;
    this.oversizedKept = undefined;
    this.oversizedTotal = 0;
    return {
      kind: 'error',
      error: new InboundMessageError(
        'OVERSIZED',
        `MLLP frame of ${total} bytes is over the ${this.max}-byte limit (first ${kept.length} bytes kept)`,
      ),
      bytes: kept,
    };
  }

  private flushGarbage(events: MllpEvent[]): void {
    if (this.garbage.length === 0) return;
    const bytes = Uint8Array.from(this.garbage);
    this.garbage = [];
    events.push({
      kind: 'error',
      error: new InboundMessageError('NOT_HL7', `${bytes.length} bytes outside any MLLP frame`),
      bytes,
    });
  }

  private drain(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const part of this.buffer) {
      out.set(part, at);
      at += part.length;
    }
    this.buffer = [];
    this.size = 0;
    return out;
  }
}

function isWhitespace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0d || b === 0x0a || b === 0x09;
}
