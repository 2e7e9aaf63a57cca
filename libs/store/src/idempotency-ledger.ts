import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { isTransientDatabaseError, type Database } from './database.ts';

/** What a claim found: the key is now this ledger's to work on, already done, or being worked on elsewhere. */
export type LedgerClaim =
  | { status: 'claimed'; attempts: number }
  | { status: 'done'; outcome: Record<string, unknown> }
  | { status: 'held'; claimedBy: string };

export interface IdempotencyLedgerOptions {
  /**
   * How long a claim stays valid without renewal. The holder renews it every third of this while its work runs,
   * so only a claim whose worker is gone (crash, killed process) can be taken over, once it has expired.
   */
  leaseMs?: number;
  /** This ledger's identity in claimed_by; one per service instance. */
  owner?: string;
}

/** How a claim whose work has returned ends: done once its output is committed, or given up. */
export interface ClaimSettlement {
  complete(): Promise<void>;
  abandon(): Promise<void>;
}

/**
 * Where the "done" mark goes when the work's output is committed after the work returns (a Kafka transaction
 * committed with the consumed record's offset): `complete` must run after that commit, `abandon` if it never
 * happens. @radflow/events' record output (HandlerContext.output) is one.
 */
export interface CommitHook {
  afterCommit(settlement: ClaimSettlement): Promise<void> | void;
}

/** The key is claimed by another worker whose claim is alive: retry later (transient, the offset stays). */
export class ClaimHeldError extends Error {
  override readonly name = 'ClaimHeldError';
  readonly code = 'LEDGER_CLAIM_HELD';
  readonly transient = true;
}

/** The ledger's database is unreachable or restarting: retry later. */
export class LedgerUnavailableError extends Error {
  override readonly name = 'LedgerUnavailableError';
  readonly code = 'DATABASE_UNAVAILABLE';
  readonly transient = true;
}

export const DEFAULT_CLAIM_LEASE_MS = 30_000;

interface ClaimRow {
  state: 'in_progress' | 'done';
  claimed_by: string | null;
  attempts: number;
  outcome: Record<string, unknown>;
}

/**
 * Effectively-once over at-least-once delivery. Work for a (consumer, key) runs under a claim taken in ONE
 * statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING): of any number of concurrent claimers exactly one gets
 * it; the others learn that it is done (skip) or held (retry later). The claim is `in_progress` while the work runs
 * and `done` once its output is durable (committed). A claim whose holder stopped renewing it expires after the
 * lease and is taken over, so a crash never blocks a key for good; the work must therefore be safe to repeat
 * (conditional creates on FHIR, keyed upserts, Kafka output in a transaction).
 */
export class IdempotencyLedger {
  readonly owner: string;
  private readonly leaseMs: number;
  /**
   * Keys whose work runs or waits for its commit in this process. The database cannot tell two records of this
   * process apart (same owner), so a second record with the same key (the same message resent, in the same
   * micro-batch) would retake the claim and repeat the work: it is told "held" instead and retried once the first
   * is settled.
   */
  private readonly working = new Set<string>();

  constructor(
    private readonly database: Database,
    options: IdempotencyLedgerOptions = {},
  ) {
    this.owner = options.owner ?? `ledger-${randomUUID()}`;
    this.leaseMs = options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  }

  /**
   * Claims the key, or finds who has it, atomically. An `in_progress` claim is (re)taken when it is this ledger's
   * own (a retry after a failure here) or when its lease has expired (its worker is gone).
   */
  async claim(consumer: string, key: string): Promise<LedgerClaim> {
    const takeOver = `l.state = 'in_progress'
      AND (l.claimed_by IS NOT DISTINCT FROM EXCLUDED.claimed_by
           OR l.claimed_at IS NULL OR l.claimed_at < now() - make_interval(secs => $4::double precision / 1000))`;
    const result = await this.query<ClaimRow>(
      `INSERT INTO idempotency_ledger AS l (consumer, idempotency_key, state, claimed_by, claimed_at, attempts)
       VALUES ($1, $2, 'in_progress', $3, now(), 1)
       ON CONFLICT (consumer, idempotency_key) DO UPDATE SET
         claimed_by = CASE WHEN ${takeOver} THEN EXCLUDED.claimed_by ELSE l.claimed_by END,
         claimed_at = CASE WHEN ${takeOver} THEN now() ELSE l.claimed_at END,
         attempts   = CASE WHEN ${takeOver} THEN l.attempts + 1 ELSE l.attempts END
       RETURNING l.state, l.claimed_by, l.attempts, l.outcome`,
      [consumer, key, this.owner, this.leaseMs],
    );
    const row = result.rows[0]!;
    if (row.state === 'done') return { status: 'done', outcome: row.outcome };
    if (row.claimed_by === this.owner) return { status: 'claimed', attempts: row.attempts };
    return { status: 'held', claimedBy: row.claimed_by ?? 'unknown' };
  }

  /** Marks this ledger's claim done with its outcome; false when the claim was lost (expired and taken over). */
  async complete(consumer: string, key: string, outcome: Record<string, unknown> = {}): Promise<boolean> {
    const result = await this.query(
      `UPDATE idempotency_ledger SET state = 'done', outcome = $4, processed_at = now(), claimed_at = now()
       WHERE consumer = $1 AND idempotency_key = $2 AND state = 'in_progress' AND claimed_by = $3`,
      [consumer, key, this.owner, JSON.stringify(outcome)],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Gives up this ledger's claim after failed work, so another worker need not wait for the lease. */
  async release(consumer: string, key: string): Promise<void> {
    await this.query(
      `DELETE FROM idempotency_ledger
       WHERE consumer = $1 AND idempotency_key = $2 AND state = 'in_progress' AND claimed_by = $3`,
      [consumer, key, this.owner],
    );
  }

  /** Keeps this ledger's claim alive while its work runs. */
  async renew(consumer: string, key: string): Promise<boolean> {
    const result = await this.query(
      `UPDATE idempotency_ledger SET claimed_at = now()
       WHERE consumer = $1 AND idempotency_key = $2 AND state = 'in_progress' AND claimed_by = $3`,
      [consumer, key, this.owner],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async hasProcessed(consumer: string, key: string): Promise<boolean> {
    const result = await this.query(
      `SELECT 1 FROM idempotency_ledger WHERE consumer = $1 AND idempotency_key = $2 AND state = 'done'`,
      [consumer, key],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * Runs `work` once per (consumer, key): returns false when it was already done; throws ClaimHeldError
   * (transient) while another live worker holds the key. The claim is renewed while the work runs and released if
   * it fails; it is marked done when the work returns or, given a `commit` hook, once the work's output is
   * committed (never before: a done mark for output that was then not committed would lose it).
   */
  async runOnce(
    consumer: string,
    key: string,
    work: () => Promise<Record<string, unknown> | void>,
    commit?: CommitHook,
  ): Promise<boolean> {
    const id = `${consumer}\u0000${key}`;
    if (this.working.has(id))
      throw new ClaimHeldError(`${consumer} key is being processed by another record of ${this.owner}`);
    this.working.add(id); // before any await: two records of this process racing must not both pass
    let claim: LedgerClaim;
    try {
      claim = await this.claim(consumer, key);
    } catch (error) {
      this.working.delete(id);
      throw error;
    }
    if (claim.status !== 'claimed') this.working.delete(id);
    if (claim.status === 'done') return false;
    if (claim.status === 'held')
      throw new ClaimHeldError(`${consumer} key is being processed by ${claim.claimedBy}`);
    const renewal = setInterval(
      () => void this.renew(consumer, key).catch(() => undefined),
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    renewal.unref();
    let outcome: Record<string, unknown>;
    try {
      outcome = (await work()) ?? {};
    } catch (error) {
      clearInterval(renewal);
      await this.release(consumer, key).catch(() => undefined); // the lease frees it otherwise
      this.working.delete(id);
      throw error;
    }
    const settlement: ClaimSettlement = {
      complete: async () => {
        await this.complete(consumer, key, outcome);
        clearInterval(renewal); // only once done: a failed mark is retried under a live claim
        this.working.delete(id);
      },
      abandon: async () => {
        clearInterval(renewal);
        await this.release(consumer, key).catch(() => undefined);
        this.working.delete(id);
      },
    };
    if (commit) await commit.afterCommit(settlement);
    else await settlement.complete();
    return true;
  }

  /** Finished keys of a consumer. */
  async count(consumer: string): Promise<number> {
    const result = await this.query<{ n: string }>(
      `SELECT count(*) AS n FROM idempotency_ledger WHERE consumer = $1 AND state = 'done'`,
      [consumer],
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  private async query<R extends object>(text: string, values: unknown[]) {
    try {
      return await this.database.query<R & pg.QueryResultRow>(text, values);
    } catch (error) {
      if (isTransientDatabaseError(error))
        throw new LedgerUnavailableError(`idempotency ledger unavailable: ${(error as Error).message}`, {
          cause: error,
        });
      throw error;
    }
  }
}
