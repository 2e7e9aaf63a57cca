import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@radflow/fhir-server',
    include: ['src/**/*.test.ts'],
    // Indexing the R4 definitions takes a few seconds on a busy 2-core machine.
    hookTimeout: 60_000,
    testTimeout: 20_000,
  },
});
