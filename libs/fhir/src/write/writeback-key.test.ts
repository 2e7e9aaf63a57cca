import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { enrichedFixture } from './enriched-fixture.testing.ts';
import { parseWritebackKey, tokenQuery, writebackKey } from './writeback-key.ts';

function withIds(accession: string, reportVersion: string, version: string) {
  const enriched = enrichedFixture({ accession, reportVersion });
  enriched.enrichment.model.version = version;
  return enriched;
}

describe('writebackKey', () => {
  it('is readable for ordinary ids', () => {
    expect(writebackKey(withIds('ACC-1', 'final:2024', '1.0'))).toBe(
      'ACC-1/final:2024/radflow-cxr-small@1.0',
    );
  });

  it('round-trips any ids and never contains what breaks a token search or a FHIR code', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        (accession, reportVersion, version) => {
          const key = writebackKey(withIds(accession, reportVersion, version));
          expect(key).not.toMatch(/[|,\\$\s]/);
          expect(key.split('/')).toHaveLength(3);
          expect(parseWritebackKey(key)).toEqual({
            accession,
            reportVersion,
            model: `radflow-cxr-small@${version}`,
          });
        },
      ),
    );
  });

  it('keeps distinct ids apart even when they contain the separator', () => {
    expect(writebackKey(withIds('a/b', 'c', '1'))).not.toBe(writebackKey(withIds('a', 'b/c', '1')));
  });

  it('URL-encodes the token so the server sees exactly one system|value split', () => {
    const query = tokenQuery(
      'identifier',
      'urn:radflow:ai-report',
      writebackKey(withIds('A|B,C', 'v 1', '1')),
    );
    const decoded = new URLSearchParams(query).get('identifier') ?? '';
    expect(decoded.split('|')).toHaveLength(2);
    expect(decoded.startsWith('urn:radflow:ai-report|A%7CB%2CC/v%201/')).toBe(true);
  });
});
