// Types are derived from the JSON Schemas, never written by hand: run `npm run generate -w @radflow/schemas`
// after changing a schema. schemas.test.ts fails when a generated file is stale.
import { writeFileSync } from 'node:fs';
import { renderApiTypes, renderEventTypes } from '../src/render-types.ts';

for (const [file, render] of [
  ['types.ts', renderEventTypes],
  ['api-types.ts', renderApiTypes],
] as const) {
  const target = new URL(`../src/generated/${file}`, import.meta.url);
  writeFileSync(target, await render());
  console.log(`wrote ${target.pathname}`);
}
