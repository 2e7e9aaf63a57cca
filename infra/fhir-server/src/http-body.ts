import type { IncomingMessage } from 'node:http';

/** A request the server refuses before it reaches the FHIR router; carries the HTTP status to answer. */
export class RequestBodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RequestBodyError';
  }
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const JSON_TYPES = ['application/fhir+json', 'application/json', 'application/json-patch+json'];

export async function readRequestBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES)
      throw new RequestBodyError(413, `Request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  const mediaType =
    (req.headers['content-type'] ?? 'application/fhir+json').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/x-www-form-urlencoded') {
    const form: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      const prev = form[k];
      form[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return form;
  }
  if (!JSON_TYPES.includes(mediaType)) {
    throw new RequestBodyError(415, `Unsupported Content-Type '${mediaType}'; send application/fhir+json`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the body; keep it out of responses and logs.
    throw new RequestBodyError(400, 'Request body is not valid JSON');
  }
}
