import { readdirSync, readFileSync } from 'node:fs';

export type JsonSchema = { $id: string; title: string; [keyword: string]: unknown };

// Read from this package's own folders: callers resolve them through @radflow/schemas, never by relative path.
function schemasIn(dir: URL): Record<string, JsonSchema> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((file) => file.endsWith('.schema.json'))
      .sort()
      .map((file) => [
        file.replace(/\.schema\.json$/, ''),
        JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as JsonSchema,
      ]),
  );
}

/** Every event schema (schemas/events), keyed by file name without `.schema.json`. */
export const eventSchemas: Record<string, JsonSchema> = schemasIn(new URL('../events/', import.meta.url));

/** Every HTTP API body schema (schemas/api), keyed by file name without `.schema.json`. */
export const apiSchemas: Record<string, JsonSchema> = schemasIn(new URL('../api/', import.meta.url));

/** The payload schema of an event type at a version, e.g. ('rad.report.finalized', 1). */
export function payloadSchemaFor(type: string, schemaVersion: number): JsonSchema {
  const schema = eventSchemas[`${type}.v${schemaVersion}`];
  if (!schema) throw new Error(`no schema for event ${type} v${schemaVersion} in schemas/events`);
  return schema;
}

/** The $id of an API body schema by file name (e.g. 'feedback-request.v1'), for ajv.getSchema. */
export function apiSchemaId(name: string): string {
  const schema = apiSchemas[name];
  if (!schema) throw new Error(`no schema ${name} in schemas/api`);
  return schema.$id;
}
