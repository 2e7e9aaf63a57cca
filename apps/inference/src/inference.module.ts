import { Module, type DynamicModule } from '@nestjs/common';
import { createLogger, type Logger } from '@radflow/config';
import { LOGGER } from '@radflow/platform';
import { InferenceProblems } from './inference-problems.ts';
import { InferenceController } from './inference.controller.ts';
import { INFERENCE_OPTIONS, type InferenceOptions } from './inference.options.ts';
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
          // In a radflow host, the host's logger (its destination, its redaction); alone, one of its own.
          inject: [{ token: LOGGER, optional: true }],
          useFactory: (hostLogger?: Logger): InferenceOptions => ({
            ...options,
            logger: options.logger ?? hostLogger?.child({ stage: 'inference' }) ?? createLogger('inference'),
          }),
        },
        InferenceService,
        InferenceProblems,
        modelHostProvider,
      ],
      exports: [InferenceService, modelHostProvider],
    };
  }
}
