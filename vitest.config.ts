import { defineConfig } from 'vitest/config';

// One vitest project per workspace package, so `npm test` runs every package.
// End-to-end tests in test/ need the real infrastructure that `infra/run` starts.
export default defineConfig({
  test: {
    projects: ['libs/*', 'apps/*', 'schemas', 'infra/fhir-server', 'test'],
  },
});
