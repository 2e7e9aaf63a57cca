import { describe, expect, it } from 'vitest';
import { CoalescingSender } from './coalescing-sender.ts';

const record = (value: string) => ({ key: 'k', value });

describe('CoalescingSender', () => {
  it('sends the first publish at once and everything that arrives meanwhile in the next send, in order', async () => {
    const sends: string[][] = [];
    let release: (() => void) | undefined;
    const sender = new CoalescingSender(async (_topic, records) => {
      sends.push(records.map((r) => String(r.value)));
      await new Promise<void>((resolve) => (release = resolve));
    });
    const first = sender.publish('t', [record('a')]);
    const later = ['b', 'c', 'd'].map((v) => sender.publish('t', [record(v)]));
    expect(sends).toEqual([['a']]);
    release!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(sends).toEqual([['a'], ['b', 'c', 'd']]);
    release!();
    await Promise.all(later);
  });

  it('fails exactly the callers whose send failed', async () => {
    let calls = 0;
    const sender = new CoalescingSender(async () => {
      calls++;
      await new Promise((resolve) => setImmediate(resolve));
      if (calls === 2) throw new Error('broker down');
    });
    const first = sender.publish('t', [record('a')]);
    const second = sender.publish('t', [record('b')]);
    const third = sender.publish('t', [record('c')]);
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow('broker down');
    await expect(third).rejects.toThrow('broker down');
    await expect(sender.publish('t', [record('d')])).resolves.toBeUndefined();
  });

  it('keeps one caller’s records in one send and caps a send at maxRecords', async () => {
    const sizes: number[] = [];
    let release: (() => void) | undefined;
    const sender = new CoalescingSender(async (_topic, records) => {
      sizes.push(records.length);
      await new Promise<void>((resolve) => (release = resolve));
    }, 3);
    const all = [
      sender.publish('t', [record('x')]),
      sender.publish('t', [record('a'), record('b')]),
      sender.publish('t', [record('c'), record('d')]),
      sender.publish('t', [record('e')]),
    ];
    for (let i = 0; i < 3; i++) {
      release!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(all);
    expect(sizes).toEqual([1, 2, 3]);
  });

  it('sends different topics independently', async () => {
    const topics: string[] = [];
    const sender = new CoalescingSender(async (topic) => void topics.push(topic));
    await Promise.all([sender.publish('one', [record('a')]), sender.publish('two', [record('b')])]);
    expect(topics.sort()).toEqual(['one', 'two']);
  });
});
