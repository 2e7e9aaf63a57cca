import { Module, type DynamicModule } from '@nestjs/common';
import { createLogger, type Logger } from '@radflow/config';
import { DATABASE, LOGGER } from '@radflow/platform';
import { ModelVersions, type Database } from '@radflow/store';
import { InferenceProblems } from './inference-problems.ts';
import { InferenceController } from './inference.controller.ts';
import { INFERENCE_OPTIONS, type InferenceOptions, type ModelLocator } from './inference.options.ts';
import { InferenceService } from './inference.service.ts';
import { modelHostProvider } from './model-host.provider.ts';

/**
 * The model service as a Nest module (HTTP API, shared ModelHost): compose it into any Nest app with
 * InferenceModule.forRoot(options); in a radflow host, inferenceApp adds the model-events subscription.
 */
@Module({})
export class InferenceModule {
  static forRoot(options: InferenceOptions): DynamicModule {
    return {
      module: InferenceModule,
      controllers: [InferenceController],
      providers: [
        {
          provide: INFERENCE_OPTIONS,
          // In a radflow host, the host's logger (its destination, its redaction) and its database (the registry,
          // where versions a request names are found); alone, a logger of its own and the serving model only.
          inject: [
            { token: LOGGER, optional: true },
            { token: DATABASE, optional: true },
          ],
          useFactory: (hostLogger?: Logger, database?: Database): InferenceOptions => {
            const locateModel = options.locateModel ?? (database ? registryLocator(database) : undefined);
            return {
              ...options,
              logger:
                options.logger ?? hostLogger?.child({ stage: 'inference' }) ?? createLogger('inference'),
              ...(locateModel ? { locateModel } : {}),
            };
          },
        },
        InferenceService,
        InferenceProblems,
        modelHostProvider,
      ],
      exports: [InferenceService, modelHostProvider],
    };
  }
}

/** Registered versions' model directories, from the registry; a version the gate rejected is not served. */
export function registryLocator(database: Database): ModelLocator {
  const versions = new ModelVersions(database);
  return async (name, version) => {
    const record = await versions.get(name, version);
    return record && record.status !== 'rejected' ? record.modelDir : undefined;
  };
}
