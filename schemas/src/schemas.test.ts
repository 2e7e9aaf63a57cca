import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventSchemas, payloadSchemaFor } from './catalog.ts';
import { renderEventTypes } from './render-types.ts';

describe('schemas', () => {
  it('has the envelope and the first event payloads', () => {
    expect(Object.keys(eventSchemas)).toEqual(
      expect.arrayContaining([
        'envelope.v1',
        'radiology-report.v1',
        'rad.report.finalized.v1',
        'rad.report.enriched.v1',
      ]),
    );
    expect(payloadSchemaFor('rad.report.enriched', 1).title).toBe('ReportEnrichedPayload');
    expect(() => payloadSchemaFor('rad.nope', 1)).toThrow(/no schema for event rad.nope v1/);
  });

  it('generated types are up to date with the schemas', async () => {
    const onDisk = readFileSync(new URL('./generated/types.ts', import.meta.url), 'utf8');
    expect(onDisk).toBe(await renderEventTypes());
  });
});
