import { InboundMessageError } from '@radflow/reports';

/** How to decode a message whose MSH-18 is empty. */
export type CharsetFallback = 'UTF-8' | 'ISO-8859-1' | 'windows-1252';

/** MSH-18 values (HL7 table 0211) and what TextDecoder calls them. */
const CHARSETS: Record<string, string> = {
  'UNICODE UTF-8': 'utf-8',
  'UTF-8': 'utf-8',
  UTF8: 'utf-8',
  'ISO IR192': 'utf-8',
  ASCII: 'utf-8',
  'ISO IR6': 'utf-8',
  // WHATWG decodes "latin1" as windows-1252, a superset senders labelled 8859/1 often really use (smart quotes).
  '8859/1': 'windows-1252',
  'ISO IR100': 'windows-1252',
  'ISO-8859-1': 'windows-1252',
  '8859/2': 'iso-8859-2',
  'ISO IR101': 'iso-8859-2',
  '8859/3': 'iso-8859-3',
  '8859/4': 'iso-8859-4',
  '8859/5': 'iso-8859-5',
  'ISO IR144': 'iso-8859-5',
  '8859/6': 'iso-8859-6',
  'ISO IR127': 'iso-8859-6',
  '8859/7': 'iso-8859-7',
  'ISO IR126': 'iso-8859-7',
  '8859/8': 'iso-8859-8',
  'ISO IR138': 'iso-8859-8',
  '8859/9': 'windows-1254',
  'ISO IR148': 'windows-1254',
  '8859/15': 'iso-8859-15',
  'GB 18030-2000': 'gb18030',
  'BIG-5': 'big5',
  'KS X 1001': 'euc-kr',
  'JIS X 0208': 'shift_jis',
  'ISO IR87': 'shift_jis',
  'CNS 11643-1992': 'big5',
  'WINDOWS-1252': 'windows-1252',
  CP1252: 'windows-1252',
};

const FALLBACK: Record<CharsetFallback, string> = {
  'UTF-8': 'utf-8',
  'ISO-8859-1': 'windows-1252',
  'windows-1252': 'windows-1252',
};

export interface DecodedMessage {
  text: string;
  /** The TextDecoder label actually used; \X..\ escapes decode with it too. */
  encoding: string;
  /** MSH-18 as sent (first repetition), '' when absent. */
  declaredCharset: string;
}

/**
 * Decode message bytes by the character set MSH-18 declares. MSH itself is ASCII in every HL7 character set,
 * so it is read byte-for-byte first. Bytes that are not valid UTF-8 in a message declared (or defaulted to)
 * UTF-8/ASCII are decoded as windows-1252 rather than replaced, so nothing is lost.
 */
export function decodeMessageBytes(
  input: Uint8Array | string,
  fallback: CharsetFallback = 'UTF-8',
): DecodedMessage | InboundMessageError {
  const head = typeof input === 'string' ? input.slice(0, 2048) : latin1(input.subarray(0, 2048));
  const declaredCharset = readMsh18(head);
  let encoding: string;
  if (declaredCharset === '') {
    encoding = FALLBACK[fallback];
  } else {
    const known = CHARSETS[declaredCharset.toUpperCase().replace(/\s+/g, ' ')];
    if (known === undefined) {
      return new InboundMessageError(
        'UNKNOWN_CHARSET',
        `MSH-18 character set ${JSON.stringify(declaredCharset.slice(0, 40))} is not supported`,
        'MSH-18',
      );
    }
    encoding = known;
  }
  if (typeof input === 'string') return { text: stripBom(input), encoding, declaredCharset };
  if (encoding === 'utf-8') {
    try {
      return {
        text: stripBom(new TextDecoder('utf-8', { fatal: true }).decode(input)),
        encoding,
        declaredCharset,
      };
    } catch {
      return {
        text: new TextDecoder('windows-1252').decode(input),
        encoding: 'windows-1252',
        declaredCharset,
      };
    }
  }
  return { text: new TextDecoder(encoding).decode(input), encoding, declaredCharset };
}

/** Decode the bytes of an \Xhh..\ escape in the message's character set. */
export function decodeHexBytes(bytes: Uint8Array, encoding: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function readMsh18(head: string): string {
  // eslint-disable-next-line no-control-regex -- MLLP start block (0x0B) left on by senders
  const start = head.replace(/^[\s\u000b\ufeff]+/, '');
  if (!start.startsWith('MSH') && !start.startsWith('\u00ef\u00bb\u00bfMSH')) return '';
  const body = start.startsWith('MSH') ? start : start.slice(3);
  const segment = body.split(/[\r\n]/, 1)[0] ?? '';
  const fieldSeparator = segment.charAt(3);
  if (fieldSeparator === '') return '';
  const fields = segment.split(fieldSeparator);
  // fields[0] = "MSH", fields[1] = MSH-2, so MSH-n is fields[n - 1].
  const msh18 = fields[17] ?? '';
  const repetition = fields[1]?.charAt(1) ?? '~';
  return (msh18.split(repetition)[0] ?? '').trim();
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i] ?? 0);
  return out;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
