import { defineProject } from 'vitest/config';

// End-to-end tests against the real Kafka, PostgreSQL and FHIR server that `infra/run test` starts.
export default defineProject({
  test: {
    name: '@radflow/e2e',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['./support/require-infrastructure.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One broker, one database: files run one after another so timings stay predictable on 2 cores.
    fileParallelism: false,
  },
});
