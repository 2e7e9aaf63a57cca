import { hostname } from 'node:os';
import { Module, type DynamicModule } from '@nestjs/common';
import { Topics } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { inferenceOptionsFromConfig, type InferenceOptions } from './inference.options.ts';
import { InferenceModule } from './inference.module.ts';
import { ModelEventsController } from './model-events.controller.ts';
import { ModelRegistrySync } from './model-registry-sync.ts';

/**
 * The model service inside a radflow host: InferenceModule (HTTP) plus what needs the host's Kafka and database,
 * the model.promoted subscription and the registry sync.
 */
@Module({})
export class InferenceHostModule {
  static forRoot(options: InferenceOptions): DynamicModule {
    return {
      module: InferenceHostModule,
      imports: [InferenceModule.forRoot(options)],
      controllers: [ModelEventsController],
      providers: [ModelRegistrySync],
      exports: [ModelRegistrySync],
    };
  }
}

/**
 * The model service for the radflow host: HTTP under /inference (GET /inference/health, POST
 * /inference/v1/tasks/:task ...: the gateway owns GET /health), plus rad.model.events.v1 for hot reload. Each
 * instance is its own consumer group (every replica must reload), starting at the topic's end (no replay of old
 * promotions: the registry says what to serve at startup), and deleted from the broker when the instance stops.
 */
export const inferenceApp: RadflowApp = {
  name: 'inference',
  module: (config) => InferenceHostModule.forRoot(inferenceOptionsFromConfig(config)),
  httpPort: (config) => config.inferencePort,
  httpPrefix: 'inference',
  consumes: {
    stage: `inference-${hostname()}-${process.pid}-${Date.now()}`,
    topics: [Topics.modelEvents],
    ephemeral: true,
    startFrom: 'latest',
  },
  // Subscribed first, then the registry read: a promotion in between is seen by one or the other, never by neither.
  onStarted: (app) => app.get(ModelRegistrySync).syncAtStartup(),
};
