import type { Bundle } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { enrichedFixture } from './enriched-fixture.testing.ts';
import { DEFAULT_IDENTIFIER_SYSTEMS } from './identifier-systems.ts';
import { FOUND_TTL_MS, ReferenceResolver } from './reference-resolver.ts';

/** A server holding `present` (search URL prefix → `Type/id`), counting the batches it answers. */
function fakeServer(present: Record<string, string>) {
  const calls: string[][] = [];
  return {
    calls,
    async batch(bundle: Bundle): Promise<Bundle> {
      const urls = (bundle.entry ?? []).map((e) => e.request!.url);
      calls.push(urls);
      return {
        resourceType: 'Bundle',
        type: 'batch-response',
        entry: urls.map((url) => {
          const hit = Object.entries(present).find(([prefix]) => url.startsWith(prefix))?.[1];
          const [resourceType, id] = hit?.split('/') ?? [];
          return {
            response: { status: '200' },
            resource: {
              resourceType: 'Bundle',
              type: 'searchset',
              entry: hit ? [{ search: { mode: 'match' }, resource: { resourceType, id } }] : [],
            },
          } as never;
        }),
      };
    },
  };
}

const settings = { referenceLookup: true, identifierSystems: DEFAULT_IDENTIFIER_SYSTEMS };

describe('ReferenceResolver', () => {
  const { report } = enrichedFixture();

  it('asks once for what it found, and again for what it did not', async () => {
    let now = 0;
    const server = fakeServer({ 'Patient?_id=pat-1': 'Patient/pat-1' });
    const resolver = new ReferenceResolver(server, settings, () => now);
    expect(await resolver.targets(report)).toEqual({ patient: 'Patient/pat-1' });
    expect(server.calls[0]).toHaveLength(3);
    // The patient is remembered; only the source report, not found, is asked for again.
    expect(await resolver.targets(report)).toEqual({ patient: 'Patient/pat-1' });
    expect(server.calls[1]).toEqual(['DiagnosticReport?_id=src-1&_count=2']);
    now += FOUND_TTL_MS + 1;
    await resolver.targets(report);
    expect(server.calls[2]).toHaveLength(3);
  });

  it('asks nothing when lookups are off: identifiers only', async () => {
    const server = fakeServer({ Patient: 'Patient/pat-1' });
    const resolver = new ReferenceResolver(server, { ...settings, referenceLookup: false });
    expect(await resolver.targets(report)).toEqual({});
    expect(server.calls).toEqual([]);
  });
});
