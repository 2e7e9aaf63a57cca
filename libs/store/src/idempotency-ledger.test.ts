import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import {
  ClaimHeldError,
  IdempotencyLedger,
  LedgerUnavailableError,
  migrate,
  openDatabase,
  type ClaimSettlement,
  type Database,
} from './index.ts';

// Integration test on the real PostgreSQL that infra/postgres.sh starts. Every claimer has its own connection pool,
// as separate processes would: the claims really race inside PostgreSQL.
const url = loadConfig().database.url;
const CLAIMERS = 16;
let pools: Database[] = [];

beforeAll(async () => {
  pools = Array.from({ length: CLAIMERS }, () => openDatabase(url, 2));
  await migrate(pools[0]!);
});
afterAll(async () => Promise.all(pools.map((pool) => pool.end())));

const consumer = 'ledger-claim-test';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ledgers = (options: { leaseMs?: number } = {}) =>
  pools.map((pool) => new IdempotencyLedger(pool, options));

describe('the idempotency ledger claim on PostgreSQL', () => {
  it('of concurrent claimers of one key exactly one gets it, every time', async () => {
    const claimers = ledgers();
    for (let round = 0; round < 25; round++) {
      const key = randomUUID();
      const claims = await Promise.all(claimers.map((ledger) => ledger.claim(consumer, key)));
      expect(claims.filter((c) => c.status === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.status === 'held')).toHaveLength(CLAIMERS - 1);
      const winner = claimers[claims.findIndex((c) => c.status === 'claimed')]!;
      for (const claim of claims) if (claim.status === 'held') expect(claim.claimedBy).toBe(winner.owner);

      expect(await winner.complete(consumer, key, { round })).toBe(true);
      const after = await Promise.all(claimers.map((ledger) => ledger.claim(consumer, key)));
      expect(after.every((c) => c.status === 'done' && c.outcome.round === round)).toBe(true);
    }
  });

  it('runs work once when many workers race for the same keys (runOnce, retrying while held)', async () => {
    const claimers = ledgers();
    const keys = Array.from({ length: 10 }, () => randomUUID());
    const runs = new Map<string, number>();
    const worker = async (ledger: IdempotencyLedger, key: string) => {
      for (;;) {
        try {
          return await ledger.runOnce(consumer, key, async () => {
            runs.set(key, (runs.get(key) ?? 0) + 1);
            await sleep(20);
            return { by: ledger.owner };
          });
        } catch (error) {
          if (!(error instanceof ClaimHeldError)) throw error;
          expect(error.transient).toBe(true);
          await sleep(5);
        }
      }
    };
    const results = await Promise.all(keys.flatMap((key) => claimers.map((ledger) => worker(ledger, key))));
    expect(results.filter(Boolean)).toHaveLength(keys.length);
    for (const key of keys) expect(runs.get(key), key).toBe(1);
    expect(await claimers[0]!.hasProcessed(consumer, keys[0]!)).toBe(true);
  });

  it('a crashed claim (no longer renewed) is taken over once its lease runs out; the late holder cannot finish it', async () => {
    const [crashed, other] = ledgers({ leaseMs: 300 });
    const key = randomUUID();
    expect(await crashed!.claim(consumer, key)).toEqual({ status: 'claimed', attempts: 1 });
    expect((await other!.claim(consumer, key)).status).toBe('held');
    await sleep(450);
    expect(await other!.claim(consumer, key)).toEqual({ status: 'claimed', attempts: 2 });
    expect(await crashed!.complete(consumer, key, { by: 'crashed' })).toBe(false);
    expect(await other!.complete(consumer, key, { by: 'other' })).toBe(true);
    expect(await crashed!.claim(consumer, key)).toEqual({ status: 'done', outcome: { by: 'other' } });
  });

  it('a live claim is renewed while its work runs, so a slow worker keeps its key', async () => {
    const [slow, other] = ledgers({ leaseMs: 300 });
    const key = randomUUID();
    let observed: string | undefined;
    await slow!.runOnce(consumer, key, async () => {
      await sleep(900); // three leases
      observed = (await other!.claim(consumer, key)).status;
    });
    expect(observed).toBe('held');
    expect(await other!.hasProcessed(consumer, key)).toBe(true);
  });

  it('the holder retakes its own claim (a retry after a failure in the same process)', async () => {
    const [ledger] = ledgers();
    const key = randomUUID();
    expect(await ledger!.claim(consumer, key)).toEqual({ status: 'claimed', attempts: 1 });
    expect(await ledger!.claim(consumer, key)).toEqual({ status: 'claimed', attempts: 2 });
  });

  it('a second record with the same key in the same process waits while the first awaits its commit, then skips', async () => {
    // The fresh-clone cluster soak's duplicate: a message resent after a broker failure landed next to its first copy,
    // both in one micro-batch of one ingest; the same owner retook its own claim and both were finalized.
    const [ledger] = ledgers();
    const key = randomUUID();
    const settlements: ClaimSettlement[] = [];
    const commit = { afterCommit: (s: ClaimSettlement) => void settlements.push(s) };
    let runs = 0;
    const work = async () => ({ run: ++runs });
    expect(await ledger!.runOnce(consumer, key, work, commit)).toBe(true);
    await expect(ledger!.runOnce(consumer, key, work, commit)).rejects.toBeInstanceOf(ClaimHeldError);
    // Concurrent ones too: only the first of the process may pass the guard.
    const raced = randomUUID();
    const both = await Promise.allSettled([
      ledger!.runOnce(consumer, raced, work, commit),
      ledger!.runOnce(consumer, raced, work, commit),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(runs).toBe(2);
    for (const settlement of settlements) await settlement.complete();
    expect(await ledger!.runOnce(consumer, key, work, commit)).toBe(false);
    expect(await ledger!.runOnce(consumer, raced, work, commit)).toBe(false);
    expect(runs).toBe(2);
  });

  it('after failed or abandoned work the same process may claim the key again', async () => {
    const [ledger] = ledgers();
    const key = randomUUID();
    await expect(
      ledger!.runOnce(consumer, key, async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    const settlements: ClaimSettlement[] = [];
    expect(
      await ledger!.runOnce(consumer, key, async () => ({}), {
        afterCommit: (s) => void settlements.push(s),
      }),
    ).toBe(true);
    await settlements[0]!.abandon();
    expect(await ledger!.runOnce(consumer, key, async () => ({}))).toBe(true);
    expect(await ledger!.runOnce(consumer, key, async () => ({}))).toBe(false);
  });

  it('failed work releases its claim at once; deferred completion holds the key until the output is committed', async () => {
    const [first, second] = ledgers();
    const failing = randomUUID();
    await expect(
      first!.runOnce(consumer, failing, async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await second!.claim(consumer, failing)).toEqual({ status: 'claimed', attempts: 1 });

    const settlements: ClaimSettlement[] = [];
    const commit = { afterCommit: (s: ClaimSettlement) => void settlements.push(s) };
    const deferring = new IdempotencyLedger(pools[2]!);
    const committed = randomUUID();
    expect(await deferring.runOnce(consumer, committed, async () => ({ n: 1 }), commit)).toBe(true);
    expect((await second!.claim(consumer, committed)).status).toBe('held');
    await settlements[0]!.complete();
    expect(await second!.claim(consumer, committed)).toEqual({ status: 'done', outcome: { n: 1 } });

    const abandoned = randomUUID();
    await deferring.runOnce(consumer, abandoned, async () => ({ n: 2 }), commit);
    await settlements[1]!.abandon();
    expect((await second!.claim(consumer, abandoned)).status).toBe('claimed');
  });

  it('an unreachable database is a transient failure', async () => {
    const unreachable = new URL(url);
    unreachable.port = '9'; // discard: nothing listens
    const pool = openDatabase(unreachable.toString(), 1);
    try {
      const error = await new IdempotencyLedger(pool).claim(consumer, randomUUID()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LedgerUnavailableError);
      expect((error as LedgerUnavailableError).transient).toBe(true);
    } finally {
      await pool.end();
    }
  });
});
