import type { IncomingMessage } from 'node:http';

/** The request body exactly as sent: the gateway forwards original bytes, never a re-serialisation. */
export async function readRequestBytes(request: IncomingMessage & { rawBody?: Buffer }, limit: number): Promise<Buffer> {
  if (request.rawBody) return request.rawBody;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    // Keep reading past the limit only far enough to prove it is oversized; the reader reports it.
    if (size > limit + 1) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
