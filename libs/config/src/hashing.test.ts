import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  keyedLogHash,
  loadConfig,
  logHash,
  readLogHashSettings,
  resolveLogHashKey,
} from './index.ts';

const accession = 'ACC20260001';

describe('keyedLogHash', () => {
  it('gives the same hash for the same value under the same key', () => {
    expect(keyedLogHash('installation-key-one', accession)).toBe(
      keyedLogHash('installation-key-one', accession),
    );
    expect(keyedLogHash('installation-key-one', accession)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives another hash under another key, so hashes of one site say nothing at another', () => {
    expect(keyedLogHash('installation-key-one', accession)).not.toBe(
      keyedLogHash('installation-key-two', accession),
    );
  });

  it('is not the plain SHA-256 prefix that anyone could compute by hashing candidate accession numbers', () => {
    const plain = createHash('sha256').update(accession).digest('hex').slice(0, 16);
    expect(keyedLogHash('installation-key-one', accession)).not.toBe(plain);
    expect(logHash(accession)).not.toBe(plain);
  });
});

describe('the installation key', () => {
  it('is LOG_HASH_KEY when set, and refuses one too short to be a secret', () => {
    const settings = readLogHashSettings({ LOG_HASH_KEY: 'a-long-enough-secret' }, '/unused');
    expect(resolveLogHashKey(settings).toString()).toBe('a-long-enough-secret');
    expect(() => readLogHashSettings({ LOG_HASH_KEY: 'short' }, '/unused')).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_HASH_KEY: 'short' })).toThrow(/LOG_HASH_KEY must be at least 16/);
  });

  it('is generated once into the key file and read back unchanged, so hashes survive a restart', () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'radflow-log-hash-')), 'nested', 'log-hash-key');
    const settings = readLogHashSettings({}, keyFile);
    const first = resolveLogHashKey(settings);
    const again = resolveLogHashKey(readLogHashSettings({ LOG_HASH_KEY_FILE: keyFile }, '/unused'));
    expect(again.equals(first)).toBe(true);
    expect(readFileSync(keyFile, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(keyFile).mode & 0o077).toBe(0); // the owner's alone
    expect(keyedLogHash(first, accession)).toBe(keyedLogHash(again, accession));
  });

  it('differs between two installations that each generated their own', () => {
    const one = resolveLogHashKey({ keyFile: join(mkdtempSync(join(tmpdir(), 'radflow-a-')), 'key') });
    const two = resolveLogHashKey({ keyFile: join(mkdtempSync(join(tmpdir(), 'radflow-b-')), 'key') });
    expect(keyedLogHash(one, accession)).not.toBe(keyedLogHash(two, accession));
  });
});
