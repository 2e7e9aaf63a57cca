export { eventSchemas, payloadSchemaFor, type JsonSchema } from './catalog.ts';
export type * from './generated/types.ts';
