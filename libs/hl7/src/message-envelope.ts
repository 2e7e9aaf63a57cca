import { InboundMessageError } from '@radflow/reports';
import { decodeMessageBytes, type CharsetFallback } from './charset.ts';
import { readDelimiters, type Delimiters } from './delimiters.ts';

export interface MessageEnvelope {
  /** Segments joined by \r, blank lines dropped, text lines broken inside a segment re-joined with \n. */
  text: string;
  segmentLines: string[];
  delimiters: Delimiters;
  encoding: string;
  /** Whether the input ended with a segment terminator: a message cut short usually does not. */
  endsWithTerminator: boolean;
}

const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/;

export function byteLength(input: Uint8Array | string): number {
  return typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
}

/**
 * Everything that must hold before a message can be split into segments: size, character set, an MSH first,
 * usable encoding characters, and one message (not a batch). Segment lines are recovered leniently: a line
 * that does not start with a segment name is the continuation of the previous segment's text (senders that
 * let a raw newline into OBX-5), not a new segment.
 */
export function openEnvelope(
  input: Uint8Array | string,
  maxBytes: number,
  charsetFallback: CharsetFallback | undefined,
): MessageEnvelope | InboundMessageError {
  const size = byteLength(input);
  if (size > maxBytes) {
    return new InboundMessageError('OVERSIZED', `message is ${size} bytes, over the ${maxBytes}-byte limit`);
  }
  const decoded = decodeMessageBytes(input, charsetFallback);
  if (decoded instanceof InboundMessageError) return decoded;
  // Tolerate MLLP framing characters left on by a file dump or a sloppy sender.
  // eslint-disable-next-line no-control-regex -- MLLP framing bytes left on by a file dump
  const unframed = decoded.text.replace(/^[\s\u000b\ufeff]+/, '').replace(/\u001c\r?\s*$/, '');
  if (unframed.trim().length === 0) return new InboundMessageError('NOT_HL7', 'input is empty');
  if (unframed.startsWith('FHS') || unframed.startsWith('BHS')) {
    return new InboundMessageError(
      'WRONG_MESSAGE_TYPE',
      'input is an HL7 batch (FHS/BHS): split it into messages first',
      'FHS',
    );
  }
  if (!unframed.startsWith('MSH')) {
    return new InboundMessageError('NOT_HL7', 'input does not begin with an MSH segment');
  }
  const delimiters = readDelimiters(unframed);
  if (delimiters instanceof InboundMessageError) return delimiters;

  const endsWithTerminator = /[\r\n]\s*$/.test(unframed);
  // With \r terminators (the standard), a lone \n is a line break inside a value; files with only \n use \n.
  const rawLines = unframed.includes('\r') ? unframed.split(/\r\n?/) : unframed.split('\n');
  const lines: string[] = [];
  for (let i = 0; i < rawLines.length; i++) {
    const line = rawLines[i] ?? '';
    if (line.trim().length === 0) continue;
    const name = line.slice(0, 3);
    const isSegment = SEGMENT_NAME.test(name) && (line.length === 3 || line.charAt(3) === delimiters.field);
    if (isSegment) {
      lines.push(line);
      continue;
    }
    const isLast = rawLines.slice(i + 1).every((l) => l.trim().length === 0);
    if (isLast && !endsWithTerminator && /^[A-Z][A-Z0-9]{0,2}$/.test(line.trim())) {
      return new InboundMessageError('TRUNCATED', 'message ends in the middle of a segment name');
    }
    const previous = lines.pop() ?? '';
    lines.push(`${previous}\n${line}`);
  }
  const messageCount = lines.filter((l) => l.startsWith('MSH')).length;
  if (messageCount > 1) {
    return new InboundMessageError(
      'WRONG_MESSAGE_TYPE',
      `input holds ${messageCount} messages: split it into messages first`,
      'MSH',
    );
  }
  return {
    text: lines.join('\r'),
    segmentLines: lines,
    delimiters,
    encoding: decoded.encoding,
    endsWithTerminator,
  };
}
