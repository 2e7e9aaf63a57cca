import type { Database } from './database.ts';

/**
 * Effectively-once over at-least-once delivery: work for a key runs unless the ledger already has the key,
 * and the key is recorded only after the work is durable. A crash between the two repeats the work, so the
 * work itself must be safe to repeat (conditional creates on FHIR, keyed upserts in the database).
 */
export class IdempotencyLedger {
  constructor(private readonly database: Database) {}

  async hasProcessed(consumer: string, key: string): Promise<boolean> {
    const result = await this.database.query(
      'SELECT 1 FROM processed_events WHERE consumer = $1 AND idempotency_key = $2',
      [consumer, key],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async recordProcessed(consumer: string, key: string, outcome: Record<string, unknown> = {}): Promise<void> {
    await this.database.query(
      `INSERT INTO processed_events (consumer, idempotency_key, outcome) VALUES ($1, $2, $3)
       ON CONFLICT (consumer, idempotency_key) DO NOTHING`,
      [consumer, key, JSON.stringify(outcome)],
    );
  }

  /** Runs `work` once per (consumer, key); returns false when it was already done. */
  async runOnce(
    consumer: string,
    key: string,
    work: () => Promise<Record<string, unknown> | void>,
  ): Promise<boolean> {
    if (await this.hasProcessed(consumer, key)) return false;
    const outcome = await work();
    await this.recordProcessed(consumer, key, outcome ?? {});
    return true;
  }

  async count(consumer: string): Promise<number> {
    const result = await this.database.query<{ n: string }>(
      'SELECT count(*) AS n FROM processed_events WHERE consumer = $1',
      [consumer],
    );
    return Number(result.rows[0]?.n ?? 0);
  }
}
