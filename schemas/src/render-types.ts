import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { apiSchemas, eventSchemas, type JsonSchema } from './catalog.ts';

const eventBanner =
  '/* Generated from schemas/events/*.schema.json by scripts/generate-types.ts. Do not edit. */';
const apiBanner = '/* Generated from schemas/api/*.schema.json by scripts/generate-types.ts. Do not edit. */';

/** Renders one TypeScript declaration per event schema, with $refs to sibling schemas resolved by title. */
export async function renderEventTypes(): Promise<string> {
  const parts: string[] = [eventBanner];
  for (const schema of Object.values(eventSchemas)) parts.push(await declare(schema, new Set()));
  parts.push(renderEventPayloadMap());
  return parts.join('\n\n') + '\n';
}

/**
 * Renders one TypeScript declaration per HTTP API body schema (request, response, problem), importing the event
 * types an API body reuses (a feedback output is the rad.feedback.v1 one) from the event types' file.
 */
export async function renderApiTypes(): Promise<string> {
  const fromEvents = new Set<string>();
  const declared: string[] = [];
  for (const schema of Object.values(apiSchemas)) declared.push(await declare(schema, fromEvents));
  const imports =
    fromEvents.size > 0 ? [`import type { ${[...fromEvents].sort().join(', ')} } from './types.ts';`] : [];
  return [apiBanner, ...imports, ...declared].join('\n\n') + '\n';
}

async function declare(schema: JsonSchema, fromEvents: Set<string>): Promise<string> {
  const declared = await compile(siblingRefsByName(schema, fromEvents) as JSONSchema, String(schema.title), {
    bannerComment: '',
    additionalProperties: false,
    declareExternallyReferenced: true,
    format: true,
    style: { singleQuote: true, printWidth: 110 },
  });
  return declared.trim();
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

// json-schema-to-typescript would inline a referenced schema under a new name; point it at the name the sibling
// (or its $defs entry) is declared under instead, so each type is declared once.
function siblingRefsByName(schema: object, fromEvents: Set<string>): object {
  return JSON.parse(JSON.stringify(schema), (key, value) => {
    if (value && typeof value === 'object' && typeof value.$ref === 'string' && !value.$ref.startsWith('#')) {
      const { name, isEvent } = declaredName(value.$ref);
      if (isEvent) fromEvents.add(name);
      return { tsType: name };
    }
    return value;
  });
}

/** The type name a reference to another schema file (optionally `#/$defs/<entry>` in it) is declared under. */
function declaredName(ref: string): { name: string; isEvent: boolean } {
  const [file, fragment] = ref.split('#');
  const fileName = file!.split('/').pop()!;
  const isEvent = Object.values(eventSchemas).some((s) => s.$id.endsWith(`/events/${fileName}`));
  const target = Object.values(isEvent ? eventSchemas : apiSchemas).find((s) =>
    s.$id.endsWith(`/${fileName}`),
  );
  if (!target) throw new Error(`unknown schema reference ${ref}`);
  if (!fragment) return { name: target.title, isEvent };
  const entry = /^\/\$defs\/([A-Za-z0-9_]+)$/.exec(fragment)?.[1];
  const definition = entry
    ? (target.$defs as Record<string, { title?: string }> | undefined)?.[entry]
    : undefined;
  if (!entry || !definition) throw new Error(`unknown schema reference ${ref}`);
  // Unnamed $defs entries are declared under their key, as json-schema-to-typescript names them.
  return { name: definition.title ?? entry.charAt(0).toUpperCase() + entry.slice(1), isEvent };
}
