/** Exponential backoff with full jitter, capped; attempt counts from 1. */
export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Attempts for errors that are neither transient nor permanent (likely bugs) before dead-lettering. */
  maxUnclassifiedAttempts: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  initialDelayMs: 200,
  maxDelayMs: 5_000,
  maxUnclassifiedAttempts: 3,
};

export function backoffDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
