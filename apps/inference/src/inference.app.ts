import { hostname } from 'node:os';
import { Topics } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { inferenceOptionsFromConfig } from './inference.options.ts';
import { InferenceModule } from './inference.module.ts';

/**
 * The model service for the radflow host: HTTP, plus rad.model.events.v1 for hot reload. Each instance is its
 * own consumer group (every replica must reload), new at each start so it replays the promotions, and deleted from
 * the broker when the instance stops.
 */
export const inferenceApp: RadflowApp = {
  name: 'inference',
  module: (config) => InferenceModule.forRoot(inferenceOptionsFromConfig(config)),
  httpPort: (config) => config.inferencePort,
  consumes: {
    stage: `inference-${hostname()}-${process.pid}-${Date.now()}`,
    topics: [Topics.modelEvents],
    ephemeral: true,
  },
};
