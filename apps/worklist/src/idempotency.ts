/**
 * Answers to requests already made, by idempotency key: a double click, or a retry after a lost answer, gets
 * the first request's answer (and the first request's work is done once), even while it is still running.
 * Bounded: the oldest keys go first. The feedback id is the key too, so the feedback store also keeps one copy
 * across processes.
 */
export class IdempotentRequests<T> {
  private readonly answers = new Map<string, { at: number; answer: Promise<T> }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly ttlMs = 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  run(key: string, work: () => Promise<T>): { answer: Promise<T>; replayed: boolean } {
    const known = this.answers.get(key);
    if (known && known.at > this.now() - this.ttlMs) return { answer: known.answer, replayed: true };
    const answer = work();
    this.answers.set(key, { at: this.now(), answer });
    // A failed request may be retried with the same key.
    answer.catch(() => this.answers.delete(key));
    while (this.answers.size > this.maxEntries) this.answers.delete(this.answers.keys().next().value!);
    return { answer, replayed: false };
  }
}
