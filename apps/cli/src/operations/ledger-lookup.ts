import type { Database } from '@radflow/store';
import {
  ACCESSION_KEYED_CONSUMERS,
  ledgerKeyPatterns,
  ledgerRowBelongsTo,
  type LedgerRow,
} from './trace-timeline.ts';

interface Row {
  consumer: string;
  idempotency_key: string;
  state: 'in_progress' | 'done';
  outcome: Record<string, unknown>;
  processed_at: Date | null;
  claimed_at: Date | null;
  attempts: number;
}

/**
 * The ledger rows of one message: every stage keyed by its accession (LIKE on the key's prefix, then checked
 * exactly), ingest by the content keys of the inbound records found for it, and the replays of its dead letters.
 */
export async function ledgerRowsFor(
  database: Database,
  query: { accessions: string[]; ingestKeys: string[]; replayKeys: string[] },
): Promise<LedgerRow[]> {
  const rows: Row[] = [];
  const select = `SELECT consumer, idempotency_key, state, outcome, processed_at, claimed_at, attempts
                  FROM idempotency_ledger`;
  for (const accession of query.accessions) {
    const { versionKey, slashKey } = ledgerKeyPatterns(accession);
    const result = await database.query<Row>(
      `${select} WHERE consumer = ANY($1) AND (idempotency_key LIKE $2 OR idempotency_key LIKE $3)`,
      [ACCESSION_KEYED_CONSUMERS, versionKey, slashKey],
    );
    rows.push(
      ...result.rows.filter((row) =>
        ledgerRowBelongsTo({ consumer: row.consumer, key: row.idempotency_key }, accession),
      ),
    );
  }
  if (query.ingestKeys.length > 0) {
    rows.push(
      ...(
        await database.query<Row>(`${select} WHERE consumer = 'ingest' AND idempotency_key = ANY($1)`, [
          query.ingestKeys,
        ])
      ).rows,
    );
  }
  rows.push(...(await replayRows(database, query.replayKeys)));
  return rows.map(toLedgerRow);
}

async function replayRows(database: Database, keys: string[]): Promise<Row[]> {
  if (keys.length === 0) return [];
  const result = await database.query<Row>(
    `SELECT consumer, idempotency_key, state, outcome, processed_at, claimed_at, attempts
     FROM idempotency_ledger WHERE consumer = 'dlq-replay' AND idempotency_key = ANY($1)`,
    [keys],
  );
  return result.rows;
}

/** Which of these dead letters (by replayKey) were replayed already. */
export async function replayedKeys(database: Database, keys: string[]): Promise<Set<string>> {
  return new Set(
    (await replayRows(database, keys))
      .filter((row) => row.state === 'done')
      .map((row) => row.idempotency_key),
  );
}

function toLedgerRow(row: Row): LedgerRow {
  return {
    consumer: row.consumer,
    key: row.idempotency_key,
    state: row.state,
    outcome: row.outcome ?? {},
    processedAt: row.processed_at?.toISOString() ?? null,
    claimedAt: row.claimed_at?.toISOString() ?? null,
    attempts: row.attempts,
  };
}
