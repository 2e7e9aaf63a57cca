import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSchemaAjv } from './ajv.ts';
import { apiSchemaId, apiSchemas, eventSchemas, payloadSchemaFor } from './catalog.ts';
import { renderApiTypes, renderEventTypes } from './render-types.ts';

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

  it.each([
    ['types.ts', renderEventTypes],
    ['api-types.ts', renderApiTypes],
  ])(
    'generated %s is up to date with the schemas (npm run generate -w @radflow/schemas)',
    async (file, render) => {
      const onDisk = readFileSync(new URL(`./generated/${file}`, import.meta.url), 'utf8');
      expect(onDisk).toBe(await render());
    },
  );

  it('one ajv setup knows every event and API schema by $id, with formats', () => {
    const ajv = createSchemaAjv();
    for (const schema of [...Object.values(eventSchemas), ...Object.values(apiSchemas)])
      expect(ajv.getSchema(schema.$id), schema.$id).toBeTypeOf('function');
    const reload = ajv.getSchema(apiSchemaId('inference.reload-request.v1'))!;
    expect(reload({ modelDir: '/models/m' })).toBe(true);
    expect(reload({})).toBe(false);
    const envelope = ajv.getSchema(eventSchemas['envelope.v1']!.$id)!;
    expect(envelope({ id: 'not-a-uuid' })).toBe(false);
    expect(envelope.errors?.map((e) => e.message)).toContain('must match format "uuid"');
    expect(() => apiSchemaId('nope.v1')).toThrow(/no schema nope.v1 in schemas\/api/);
  });

  it('one problem schema for every HTTP API error, whose references to other API schemas resolve', () => {
    const ajv = createSchemaAjv();
    const problem = ajv.getSchema(apiSchemaId('problem.v1'))!;
    const overloaded = {
      type: 'https://radflow.dev/problems/OVERLOADED',
      title: 'Too Many Requests',
      status: 429,
      detail: 'inference queue is full',
      code: 'OVERLOADED',
      retryAfterMs: 200,
      model: { name: 'rad-phi2', version: '1.0.0' },
    };
    expect(problem(overloaded), JSON.stringify(problem.errors)).toBe(true);
    expect(problem({ ...overloaded, code: 'SOMETHING_ELSE' })).toBe(false);
    expect(problem({ ...overloaded, model: { name: 'rad-phi2' } })).toBe(false);
    expect(problem({ ...overloaded, message: 'the old shape' })).toBe(false);
  });
});
