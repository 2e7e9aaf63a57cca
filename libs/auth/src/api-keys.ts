import { createHash, timingSafeEqual } from 'node:crypto';

/** An API key listed by its hash instead of the key itself: `sha256:` and 64 hex digits of the key's SHA-256. */
const HASHED_ENTRY = /^sha256:([0-9a-f]{64})$/i;
/** Shorter keys are guessable; the generated key is 64 hex characters. */
export const MIN_API_KEY_LENGTH = 16;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The `sha256:…` form of a key, for API_KEYS: what the configuration may hold instead of the key itself. */
export function hashedApiKeyEntry(key: string): string {
  return `sha256:${sha256Hex(key)}`;
}

/**
 * The static API keys a deployment accepts. Only their SHA-256 digests are kept; a presented key is hashed and
 * compared with every digest in constant time (no early exit), so neither a key's content nor its position leaks
 * through timing. A key is a high-entropy secret, so an unsalted digest is enough.
 */
export class ApiKeySet {
  private readonly digests: Buffer[];

  /** Entries are keys (at least 16 characters) or `sha256:<hex>` digests of keys. */
  constructor(entries: readonly string[]) {
    this.digests = entries.map((entry, index) => {
      const hashed = HASHED_ENTRY.exec(entry);
      if (hashed) return Buffer.from(hashed[1]!.toLowerCase(), 'hex');
      if (entry.length < MIN_API_KEY_LENGTH)
        throw new RangeError(`API key #${index + 1} is shorter than ${MIN_API_KEY_LENGTH} characters`);
      return createHash('sha256').update(entry, 'utf8').digest();
    });
  }

  get size(): number {
    return this.digests.length;
  }

  /** The short id of the key that matches (first 8 hex of its digest: safe to log), or undefined. */
  match(presented: string): string | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: Buffer | undefined;
    for (const candidate of this.digests) if (timingSafeEqual(candidate, digest)) found = candidate;
    return found?.toString('hex').slice(0, 8);
  }
}
