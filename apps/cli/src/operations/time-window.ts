import { OperationsError } from './operations-error.ts';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since`: how far back to read the topics, as a duration (`30m`, `24h`, `7d`) or an ISO time. `all` (or nothing)
 * reads everything the broker still keeps, which on a long-lived cluster can be a lot.
 */
export function sinceMs(text: string | undefined, now: Date): number | undefined {
  if (text === undefined || text === 'all') return undefined;
  const duration = /^(\d+)([mhd])$/.exec(text.trim());
  if (duration) return now.getTime() - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const time = Date.parse(text);
  if (Number.isNaN(time)) {
    throw new OperationsError(
      `--since '${text}' is neither a duration nor a time`,
      'BAD_SINCE',
      'give 30m, 24h, 7d, an ISO time such as 2026-01-31T08:00:00Z, or all',
    );
  }
  return time;
}
