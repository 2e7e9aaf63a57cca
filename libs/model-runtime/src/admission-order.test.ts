import { describe, expect, it } from 'vitest';
import { admissionOrder } from './admission-order.ts';

const request = (name: string, priority: 'stat' | 'urgent' | 'routine' | undefined, enqueuedAt: number) => ({
  name,
  priority,
  enqueuedAt,
});
const names = (list: { name: string }[]) => list.map((r) => r.name);

describe('admission order of the model queue', () => {
  it('admits STAT before urgent before routine, whatever arrived first', () => {
    const queue = [
      request('r1', 'routine', 0),
      request('r2', undefined, 1),
      request('u1', 'urgent', 2),
      request('s1', 'stat', 3),
    ];
    expect(names(admissionOrder(queue, 4, 10, 2_000))).toEqual(['s1', 'u1', 'r1', 'r2']);
    expect(names(admissionOrder(queue, 1, 10, 2_000))).toEqual(['s1']);
  });

  it('keeps first in, first out within one priority', () => {
    const queue = [request('a', 'routine', 5), request('b', 'routine', 1), request('c', 'routine', 3)];
    expect(names(admissionOrder(queue, 3, 10))).toEqual(['b', 'c', 'a']);
  });

  it('bounds how long routine work waits behind a stream of STAT reports', () => {
    // A routine request queued 4.1 s ago has earned two levels: it now ties with a fresh STAT and, older, goes first.
    const queue = [request('fresh-stat', 'stat', 3_800), request('old-routine', 'routine', 0)];
    expect(names(admissionOrder(queue, 1, 4_100, 2_000))).toEqual(['old-routine']);
    expect(names(admissionOrder(queue, 1, 3_900, 2_000))).toEqual(['fresh-stat']);
  });

  it('never loses or duplicates a request', () => {
    const queue = Array.from({ length: 50 }, (_, i) =>
      request(`q${i}`, (['stat', 'urgent', 'routine', undefined] as const)[i % 4], i * 37),
    );
    const taken = admissionOrder(queue, 50, 3_000, 500);
    expect(new Set(names(taken)).size).toBe(50);
    expect(admissionOrder(queue, 8, 3_000, 500)).toEqual(taken.slice(0, 8));
  });
});
