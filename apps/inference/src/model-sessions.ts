/** What the cache needs of a loaded model: a way to finish its accepted requests and free its session. */
export interface ClosableSession {
  close(): Promise<void>;
}

interface Entry<T> {
  session: Promise<T>;
  /** The session once loaded. */
  loaded?: T;
  /** Out of the cache (drop): closed once its last request is done. */
  dropped?: boolean;
  /** Requests running on it now: it is not evicted under them. */
  users: number;
  lastUsed: number;
}

/**
 * A small LRU of loaded model sessions beside the serving model (which the inference service holds itself, pinned):
 * the versions a canary or a radiologist's adapter needs, loaded on first use and kept while they are used. One
 * session per version, never one per request (the issue rules out merging per request). At most `capacity` are held
 * while idle; one in use is never evicted under its requests, so a burst across more versions than that holds them
 * for as long as they run, and the least recently used idle ones are closed (after their accepted requests finish)
 * as soon as they are idle again.
 */
export class ModelSessions<T extends ClosableSession> {
  private readonly entries = new Map<string, Entry<T>>();
  private clock = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError('capacity must be an integer >= 0');
  }

  /** Keys of the sessions held (loading or loaded), least recently used first. */
  get keys(): string[] {
    return [...this.entries.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed).map(([key]) => key);
  }

  /** The loaded sessions (not those still loading), least recently used first. */
  get loaded(): { key: string; session: T }[] {
    return this.keys.flatMap((key) => {
      const session = this.entries.get(key)?.loaded;
      return session ? [{ key, session }] : [];
    });
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Runs `work` on the session for `key`, loading it with `load` the first time (concurrent callers share one load;
   * a failed load is forgotten so the next call tries again).
   */
  async use<R>(key: string, load: () => Promise<T>, work: (session: T) => Promise<R>): Promise<R> {
    let entry = this.entries.get(key);
    if (!entry) {
      const session = load();
      entry = { session, users: 0, lastUsed: 0 };
      this.entries.set(key, entry);
      const loading = entry;
      session.then(
        (loaded) => void (loading.loaded = loaded),
        () => {
          if (this.entries.get(key) === loading) this.entries.delete(key);
        },
      );
    }
    entry.users += 1;
    entry.lastUsed = ++this.clock;
    try {
      this.evictIdle();
      return await work(await entry.session);
    } finally {
      entry.users -= 1;
      if (entry.dropped && entry.users === 0) closeSession(entry);
      this.evictIdle();
    }
  }

  /**
   * Takes a version out of the cache (it became the serving model, which is held apart): closed now if idle, else
   * once its requests are done; the next request for the key loads it again.
   */
  drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    entry.dropped = true;
    if (entry.users === 0) closeSession(entry);
  }

  /** Closes every session (shutdown). */
  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(closeSession));
  }

  /** Past capacity, closes the least recently used sessions that no request is using. */
  private evictIdle(): void {
    if (this.entries.size <= this.capacity) return;
    const idle = [...this.entries.entries()]
      .filter(([, e]) => e.users === 0)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, entry] of idle) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(key);
      void closeSession(entry);
    }
  }
}

/** Closing drains what the session accepted before freeing it; a session that never loaded has nothing to close. */
function closeSession<T extends ClosableSession>(entry: Entry<T>): Promise<void> {
  return entry.session.then((s) => s.close()).catch(() => undefined);
}
