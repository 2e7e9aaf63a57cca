import { Module, type DynamicModule } from '@nestjs/common';
import { createLogger } from '@radflow/config';
import { InferenceExceptionFilter } from './inference-exception.filter.ts';
import { InferenceController } from './inference.controller.ts';
import { INFERENCE_OPTIONS, type InferenceOptions } from './inference.options.ts';
import { InferenceService } from './inference.service.ts';
import { ModelEventsController } from './model-events.controller.ts';
import { modelHostProvider } from './model-host.provider.ts';

/** The model service as a Nest module: compose it into any host with InferenceModule.forRoot(options). */
@Module({})
export class InferenceModule {
  static forRoot(options: InferenceOptions): DynamicModule {
    const resolved: InferenceOptions = { ...options, logger: options.logger ?? createLogger('inference') };
    return {
      module: InferenceModule,
      controllers: [InferenceController, ModelEventsController],
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
