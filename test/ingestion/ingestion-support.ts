import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Database } from '@radflow/store';
import { DATABASE, LOGGER } from '@radflow/platform';

/** The key ingest's idempotency ledger files a message under: its kind and the SHA-256 of its bytes. */
export function ledgerKey(kind: 'hl7v2' | 'fhir', bytes: Uint8Array): string {
  return `${kind}:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface LedgerOutcome {
  accepted: number;
  skipped: number;
  skipCodes?: string[];
}

/** Polls ingest's ledger until every key is there: proof the message was read by ingest, whatever became of it. */
export async function waitForLedger(
  app: INestApplication,
  keys: string[],
  timeoutMs = 60_000,
): Promise<Map<string, LedgerOutcome>> {
  const database = app.get<Database>(DATABASE);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await database.query<{ idempotency_key: string; outcome: LedgerOutcome }>(
      `SELECT idempotency_key, outcome FROM processed_events WHERE consumer = 'ingest' AND idempotency_key = ANY($1)`,
      [keys],
    );
    const found = new Map(result.rows.map((row) => [row.idempotency_key, row.outcome]));
    if (found.size >= new Set(keys).size) return found;
    if (Date.now() > deadline)
      throw new Error(`ingest ledger holds ${found.size} of ${keys.length} messages after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Captures the host's log lines (pino writes them to one stream shared by every child logger). Info lines are
 * kept here and not printed; warnings and errors still reach the console.
 */
export function captureLogs(app: INestApplication): {
  lines: Array<Record<string, unknown>>;
  stop: () => void;
} {
  const logger = app.get<object>(LOGGER) as Record<symbol, unknown>;
  const streamSymbol = Object.getOwnPropertySymbols(logger).find((s) => s.description === 'pino.stream');
  const stream = streamSymbol ? (logger[streamSymbol] as { write: (line: string) => boolean }) : undefined;
  if (!stream) throw new Error('the host logger has no pino stream to capture');
  const write = stream.write;
  const lines: Array<Record<string, unknown>> = [];
  stream.write = (line: string) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    lines.push(entry);
    return (entry.level as number) >= 40 ? write.call(stream, line) : true;
  };
  return { lines, stop: () => void (stream.write = write) };
}
