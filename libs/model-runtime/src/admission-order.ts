/** The worklist priority of the report a request is for; requests without one are routine. */
export type RequestPriority = 'stat' | 'urgent' | 'routine';

const PRIORITY_RANK: Record<RequestPriority, number> = { stat: 0, urgent: 1, routine: 2 };

/** Waiting this long raises a request one priority level, so routine work waits at most about two agings. */
export const DEFAULT_PRIORITY_AGING_MS = 2_000;

export interface Waiting {
  priority?: RequestPriority | undefined;
  /** performance.now() when it was queued. */
  enqueuedAt: number;
}

/**
 * Which waiting requests a batch admits next: STAT before urgent before routine, each level earned back by waiting
 * `agingMs` (bounded starvation), ties by arrival so requests of one priority stay first in, first out.
 */
export function admissionOrder<T extends Waiting>(
  waiting: readonly T[],
  count: number,
  now: number,
  agingMs = DEFAULT_PRIORITY_AGING_MS,
): T[] {
  const rank = (request: T) =>
    PRIORITY_RANK[request.priority ?? 'routine'] - Math.floor((now - request.enqueuedAt) / agingMs);
  return [...waiting].sort((a, b) => rank(a) - rank(b) || a.enqueuedAt - b.enqueuedAt).slice(0, count);
}
