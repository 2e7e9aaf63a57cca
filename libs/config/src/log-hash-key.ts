import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, envReader, type Env } from './env-reader.ts';

/**
 * The key of the hashes that stand for identifiers in logs (logHash). A plain SHA-256 of an accession number can be
 * reversed by hashing every plausible accession; an HMAC with a secret of the installation cannot.
 */
export interface LogHashSettings {
  /** LOG_HASH_KEY: the secret itself; set the same one on every process of an installation so their logs correlate. */
  key?: string;
  /**
   * Unset key: the file holding the installation's generated key (LOG_HASH_KEY_FILE). Created with a random key on
   * first use and read ever after, so hashes stay the same across restarts of one installation (an operator
   * following one accession through yesterday's and today's logs expects that), and differ between installations.
   */
  keyFile: string;
}

export const LOG_HASH_KEY_VARIABLE = 'LOG_HASH_KEY';
/** Shorter secrets are guessable; 16 characters is the least a generated password manager entry gives. */
const MIN_KEY_LENGTH = 16;

export function readLogHashSettings(env: Env, defaultKeyFile: string): LogHashSettings {
  const read = envReader(env);
  const key = read.optionalString(LOG_HASH_KEY_VARIABLE);
  if (key !== undefined && key.length < MIN_KEY_LENGTH)
    throw new ConfigError(LOG_HASH_KEY_VARIABLE, `at least ${MIN_KEY_LENGTH} characters`);
  return {
    ...(key !== undefined ? { key } : {}),
    keyFile: read.string('LOG_HASH_KEY_FILE', defaultKeyFile),
  };
}

/**
 * The key bytes: LOG_HASH_KEY, or the key file's content, created at first use. Creation is atomic (a complete file
 * is linked into place, and the loser of a race between two starting processes reads the winner's key), and the file
 * is readable by its owner only.
 */
export function resolveLogHashKey(settings: LogHashSettings): Buffer {
  if (settings.key !== undefined) return Buffer.from(settings.key, 'utf8');
  try {
    return readKeyFile(settings.keyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(settings.keyFile), { recursive: true });
  const draft = `${settings.keyFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    linkSync(draft, settings.keyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  return readKeyFile(settings.keyFile);
}

function readKeyFile(file: string): Buffer {
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < MIN_KEY_LENGTH)
    throw new ConfigError('LOG_HASH_KEY_FILE', `a file of at least ${MIN_KEY_LENGTH} characters`);
  return Buffer.from(key, 'utf8');
}
