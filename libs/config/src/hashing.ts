import { createHmac } from 'node:crypto';
import { DEFAULT_LOG_HASH_KEY_FILE } from './config.ts';
import { readLogHashSettings, resolveLogHashKey, type LogHashSettings } from './log-hash-key.ts';

/** The installation's key, resolved on the first hash (or set by the host from its configuration). */
let installationKey: Buffer | undefined;

/** An HMAC-SHA-256 prefix of `value` under `key`: the same pair always gives the same 16 hex digits. */
export function keyedLogHash(key: Buffer | string, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex').slice(0, 16);
}

/**
 * Makes `settings` (RadflowConfig.logHash) the key of logHash in this process. A host calls it with its
 * configuration; without it the first logHash reads LOG_HASH_KEY / LOG_HASH_KEY_FILE from the environment.
 */
export function useLogHashKey(settings: LogHashSettings): void {
  installationKey = resolveLogHashKey(settings);
}

/**
 * Short, stable, keyed hash for logs: lets an operator correlate lines about one accession, message or user without
 * seeing the value, and, unlike a plain hash, cannot be reversed by hashing every plausible accession number.
 */
export function logHash(value: string): string {
  installationKey ??= resolveLogHashKey(readLogHashSettings(process.env, DEFAULT_LOG_HASH_KEY_FILE));
  return keyedLogHash(installationKey, value);
}
