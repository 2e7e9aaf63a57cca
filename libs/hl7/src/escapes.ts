import type { Delimiters } from './delimiters.ts';
import { decodeHexBytes } from './charset.ts';

export interface EscapeDecodeResult {
  text: string;
  /** Escape sequences whose content could not be carried (locally defined \Z..\, character-set switches). */
  dropped: string[];
}

/**
 * Decode HL7 escape sequences in a raw field value: \F\ \S\ \T\ \R\ \E\ delimiters, \.br\ and \.sp n\ line breaks,
 * \Xhh..\ bytes in the message's character set; \H\ \N\ and the other formatting commands carry no text.
 * An escape character without a closing one is kept as sent.
 */
export function decodeEscapes(raw: string, delimiters: Delimiters, encoding = 'utf-8'): EscapeDecodeResult {
  const esc = delimiters.escape;
  if (!raw.includes(esc)) return { text: raw, dropped: [] };
  let out = '';
  const dropped: string[] = [];
  let i = 0;
  while (i < raw.length) {
    const start = raw.indexOf(esc, i);
    if (start < 0) {
      out += raw.slice(i);
      break;
    }
    out += raw.slice(i, start);
    const end = raw.indexOf(esc, start + 1);
    if (end < 0) {
      out += raw.slice(start);
      break;
    }
    const body = raw.slice(start + 1, end);
    const decoded = decodeSequence(body, delimiters, encoding);
    if (decoded === undefined) {
      // Not an escape we know: keep the opening escape character literally and go on after it.
      out += esc;
      i = start + 1;
      continue;
    }
    if (decoded.dropped) dropped.push(body.charAt(0) === '.' ? body : body.charAt(0));
    out += decoded.text;
    i = end + 1;
  }
  return { text: out, dropped };
}

function decodeSequence(
  body: string,
  d: Delimiters,
  encoding: string,
): { text: string; dropped?: true } | undefined {
  switch (body) {
    case 'F':
      return { text: d.field };
    case 'S':
      return { text: d.component };
    case 'T':
      return { text: d.subcomponent };
    case 'R':
      return { text: d.repetition };
    case 'E':
      return { text: d.escape };
    case 'H':
    case 'N':
      return { text: '' };
    case '.br':
      return { text: '\n' };
    case '.fi':
    case '.nf':
      return { text: '' };
    default:
      break;
  }
  if (body.startsWith('.sp')) {
    const n = body.length > 3 ? Number(body.slice(3).trim()) : 1;
    return Number.isInteger(n) && n >= 0 && n <= 100 ? { text: '\n'.repeat(Math.max(n, 1)) } : undefined;
  }
  if (body.startsWith('.sk')) {
    const n = body.length > 3 ? Number(body.slice(3).trim()) : 1;
    return Number.isInteger(n) && n >= 0 && n <= 200 ? { text: ' '.repeat(n) } : undefined;
  }
  if (/^\.(?:in|ti)[ +-]?\d*$/.test(body) || body === '.ce') return { text: '' };
  if (/^X(?:[0-9A-Fa-f]{2})+$/.test(body)) {
    const hex = body.slice(1);
    const bytes = new Uint8Array(hex.length / 2);
    for (let k = 0; k < bytes.length; k++) bytes[k] = Number.parseInt(hex.slice(2 * k, 2 * k + 2), 16);
    return { text: decodeHexBytes(bytes, encoding) };
  }
  if (/^Z[^\s]*$/.test(body) || /^C[0-9A-Fa-f]{4}$/.test(body) || /^M[0-9A-Fa-f]{4,6}$/.test(body)) {
    return { text: '', dropped: true };
  }
  return undefined;
}
