import { Module, type DynamicModule } from '@nestjs/common';
import { createLogger } from '@radflow/config';
import { InferenceExceptionFilter } from './inference-exception.filter.ts';
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
    const resolved: InferenceOptions = { ...options, logger: options.logger ?? createLogger('inference') };
    return {
      module: InferenceModule,
      controllers: [InferenceController],
      providers: [
        { provide: INFERENCE_OPTIONS, useValue: resolved },
        InferenceService,
        InferenceExceptionFilter,
        modelHostProvider,
      ],
      exports: [InferenceService, InferenceExceptionFilter, modelHostProvider],
    };
  }
}
