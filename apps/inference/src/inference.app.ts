import type { RadflowApp } from '@radflow/platform';
import { inferenceOptionsFromConfig } from './inference.options.ts';
import { InferenceModule } from './inference.module.ts';

/** The model service for the radflow host (HTTP only; it consumes no topic itself). */
export const inferenceApp: RadflowApp = {
  name: 'inference',
  module: (config) => InferenceModule.forRoot(inferenceOptionsFromConfig(config)),
  httpPort: (config) => config.inferencePort,
};
