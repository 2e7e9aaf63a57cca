import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { eventSchemas } from './catalog.ts';

const banner = '/* Generated from schemas/events/*.schema.json by scripts/generate-types.ts. Do not edit. */';

/** Renders one TypeScript declaration per schema, with $refs to sibling schemas resolved by title. */
export async function renderEventTypes(): Promise<string> {
  const parts: string[] = [banner];
  for (const schema of Object.values(eventSchemas)) {
    const declared = await compile(inlineSiblingRefs(schema) as JSONSchema, String(schema.title), {
      bannerComment: '',
      additionalProperties: false,
      declareExternallyReferenced: true,
      format: true,
      style: { singleQuote: true, printWidth: 110 },
    });
    parts.push(declared.trim());
  }
  parts.push(renderEventPayloadMap());
  return parts.join('\n\n') + '\n';
}

/**
 * The payload type of every event schema, keyed by its file name (`<type>.v<schemaVersion>`, e.g.
 * rad.report.finalized.v1), which is also the Kafka topic the event travels on: libs/events types its topics by it.
 */
function renderEventPayloadMap(): string {
  const entries = Object.entries(eventSchemas)
    .filter(([name]) => /^rad\.[a-z0-9.]+\.v\d+$/.test(name))
    .map(([name, schema]) => `  '${name}': ${String(schema.title)};`);
  return [
    '/** The payload type of each event, keyed by `<type>.v<schemaVersion>` (its schema file and its topic). */',
    'export interface EventPayloads {',
    ...entries,
    '}',
  ].join('\n');
}

// json-schema-to-typescript would inline a referenced schema under a new name; point it at the sibling's
// title instead so each type is declared once.
function inlineSiblingRefs(schema: object): object {
  return JSON.parse(JSON.stringify(schema), (key, value) => {
    if (value && typeof value === 'object' && typeof value.$ref === 'string' && !value.$ref.startsWith('#')) {
      const sibling = Object.values(eventSchemas).find((s) => String(s.$id).endsWith(value.$ref));
      if (!sibling) throw new Error(`unknown schema reference ${value.$ref}`);
      return { tsType: String(sibling.title) };
    }
    return value;
  });
}
