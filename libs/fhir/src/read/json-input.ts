import { InboundMessageError } from '@radflow/reports';

/** Parse a posted FHIR JSON body: size limit first, then UTF-8 (with or without BOM), then JSON. */
export function parseFhirJson(input: Uint8Array | string, maxBytes: number): unknown {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes)
    return new InboundMessageError(
      'OVERSIZED',
      `FHIR body is ${size} bytes, over the ${maxBytes}-byte limit`,
    );
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return new InboundMessageError('INVALID_JSON', 'FHIR body is not valid UTF-8');
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return new InboundMessageError('INVALID_JSON', 'FHIR body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // The parser's message carries a position, never content.
    const position = error instanceof SyntaxError ? /position (\d+)/.exec(error.message)?.[1] : undefined;
    return new InboundMessageError(
      'INVALID_JSON',
      position ? `FHIR body is not valid JSON (at byte ${position})` : 'FHIR body is not valid JSON',
    );
  }
}
