export { eventSchemas, apiSchemas, payloadSchemaFor, apiSchemaId, type JsonSchema } from './catalog.ts';
export { createSchemaAjv, type SchemaAjv, type ErrorObject, type ValidateFunction } from './ajv.ts';
export type * from './generated/types.ts';
export type * from './generated/api-types.ts';
