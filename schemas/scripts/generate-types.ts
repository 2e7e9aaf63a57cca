// Types are derived from the JSON Schemas, never written by hand: run `npm run generate -w @radflow/schemas`
// after changing a schema. schemas.test.ts fails when the generated file is stale.
import { writeFileSync } from 'node:fs';
import { renderEventTypes } from '../src/render-types.ts';

const target = new URL('../src/generated/types.ts', import.meta.url);
writeFileSync(target, await renderEventTypes());
console.log(`wrote ${target.pathname}`);
