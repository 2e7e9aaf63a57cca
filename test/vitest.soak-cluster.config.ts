import { defineProject } from 'vitest/config';

// The CI-sized soak on the three-broker cluster, outside `npm test` for its time (about 4 minutes); see the file.
export default defineProject({
  test: {
    name: '@radflow/e2e-soak-cluster',
    include: ['soak/soak-cluster.soak.ts'],
    globalSetup: ['./support/require-infrastructure.ts'],
    testTimeout: 600_000,
    hookTimeout: 180_000,
  },
});
