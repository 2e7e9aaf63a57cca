import { readdirSync, readFileSync } from 'node:fs';

export type JsonSchema = { $id: string; title: string; [keyword: string]: unknown };

const eventsDir = new URL('../events/', import.meta.url);

/** Every event and API schema, keyed by file name without `.schema.json`. */
export const eventSchemas: Record<string, JsonSchema> = Object.fromEntries(
  readdirSync(eventsDir)
    .filter((file) => file.endsWith('.schema.json'))
    .sort()
    .map((file) => [
      file.replace(/\.schema\.json$/, ''),
      JSON.parse(readFileSync(new URL(file, eventsDir), 'utf8')) as JsonSchema,
    ]),
);

/** The payload schema of an event type at a version, e.g. ('rad.report.finalized', 1). */
export function payloadSchemaFor(type: string, schemaVersion: number): JsonSchema {
  const schema = eventSchemas[`${type}.v${schemaVersion}`];
  if (!schema) throw new Error(`no schema for event ${type} v${schemaVersion} in schemas/events`);
  return schema;
}
