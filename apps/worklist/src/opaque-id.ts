import { createHash } from 'node:crypto';

/**
 * The opaque id of an exam in the page's URLs: the first 32 hex digits of sha256(key ":" accession), the same
 * as WorklistQueries computes in SQL. Keyed (WORKLIST_ID_SECRET), so it cannot be reversed by hashing guessed
 * accession numbers.
 */
export function opaqueId(key: string, accession: string): string {
  return createHash('sha256').update(`${key}:${accession}`, 'utf8').digest('hex').slice(0, 32);
}

export const OPAQUE_ID = /^[a-f0-9]{32}$/;
