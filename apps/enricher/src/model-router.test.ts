import { describe, expect, it } from 'vitest';
import { createLogger } from '@radflow/config';
import type { ModelRoutingTable } from '@radflow/enrichment';
import { RoutingTableCache } from './model-router.ts';

const logger = createLogger('model-router-test', 'silent');

function registry(tables: (ModelRoutingTable | Error)[]) {
  const reads: string[] = [];
  const read = async (name: string) => {
    reads.push(name);
    const next = tables.shift();
    if (!next || next instanceof Error) throw next ?? new Error('no table');
    return next;
  };
  return { reads, read };
}

describe('RoutingTableCache', () => {
  it('reads the table once per period, sharing one read among concurrent reports', async () => {
    let now = 0;
    const first = { serving: '1.0.0', radiologists: {} };
    const second = { serving: '1.1.0', radiologists: {} };
    const { reads, read } = registry([first, second]);
    const cache = new RoutingTableCache('radflow-cxr', read, 5_000, logger, () => now);
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual([first, first, first]);
    now = 4_999;
    expect(await cache.get()).toEqual(first);
    expect(reads).toEqual(['radflow-cxr']);
    now = 5_000;
    expect(await cache.get()).toEqual(second);
    expect(reads).toHaveLength(2);
  });

  it('keeps the last table when the database does not answer, and has none before the first read', async () => {
    let now = 0;
    const table = { serving: '1.0.0', canary: { version: '1.1.0', share: 0.5 }, radiologists: {} };
    const { reads, read } = registry([
      new Error('connection refused'),
      table,
      new Error('connection refused'),
    ]);
    const cache = new RoutingTableCache('radflow-cxr', read, 1_000, logger, () => now);
    expect(await cache.get()).toBeUndefined();
    expect(await cache.get()).toEqual(table);
    now = 2_000;
    expect(await cache.get()).toEqual(table);
    expect(reads).toHaveLength(3);
  });
});
