/** A request body as the sender sent it, or as much of it as the gateway keeps. */
export interface RequestBody {
  /** The bytes kept: the whole body when `complete`, else its first `keepBytes`. */
  bytes: Buffer;
  /** Every byte the sender sent, counted even when not kept. */
  totalBytes: number;
  complete: boolean;
}

/**
 * How much of an oversized body is kept for its dead-letter record. Reading the body whole (rather than stopping
 * at the message limit) lets an operator replay it after raising the limit; the factor bounds memory per request.
 */
export const OVERSIZED_KEEP_FACTOR = 4;

/**
 * Reads a body to its end, keeping at most `keepBytes`: the rest is counted and discarded, so a huge upload costs
 * time (bounded by the server's request timeout), never memory. The gateway forwards these original bytes, never a
 * re-serialisation.
 */
export async function readRequestBody(
  stream: AsyncIterable<Buffer | string>,
  keepBytes: number,
): Promise<RequestBody> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let totalBytes = 0;
  for await (const piece of stream) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece;
    totalBytes += chunk.length;
    if (kept >= keepBytes) continue;
    const part = kept + chunk.length > keepBytes ? chunk.subarray(0, keepBytes - kept) : chunk;
    chunks.push(part);
    kept += part.length;
  }
  return { bytes: Buffer.concat(chunks, kept), totalBytes, complete: kept === totalBytes };
}
