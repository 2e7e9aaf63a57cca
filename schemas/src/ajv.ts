import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { apiSchemas, eventSchemas } from './catalog.ts';

export type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
export type SchemaAjv = Ajv2020;

// ajv-formats is CommonJS with a default export property.
const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

/**
 * The one ajv setup of radflow: JSON Schema 2020-12, the standard formats, and every event and API schema of this
 * package registered by its $id (so `$ref`s between them resolve). Defaults: every error reported, strict off;
 * `options` override them (the inference API checks its bodies with strict on).
 */
export function createSchemaAjv(options: Options = {}): SchemaAjv {
  const ajv = new Ajv2020({ allErrors: true, strict: false, ...options });
  addFormats(ajv);
  for (const schema of [...Object.values(eventSchemas), ...Object.values(apiSchemas)]) ajv.addSchema(schema);
  return ajv;
}
