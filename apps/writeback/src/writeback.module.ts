import { Module, type DynamicModule } from '@nestjs/common';
import type { RadflowConfig } from '@radflow/config';
import { Topics } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { FhirWriter } from './fhir-writer.ts';
import { FHIR_WRITER } from './tokens.ts';
import { WritebackController } from './writeback.controller.ts';
import { WritebackService } from './writeback.service.ts';

@Module({})
export class WritebackModule {
  static forRoot(config: RadflowConfig): DynamicModule {
    return {
      module: WritebackModule,
      controllers: [WritebackController],
      providers: [{ provide: FHIR_WRITER, useValue: new FhirWriter(config.fhir) }, WritebackService],
    };
  }
}

/** Enriched reports → FHIR transaction per report + ORU^R01 for the RIS. */
export const writebackApp: RadflowApp = {
  name: 'writeback',
  module: (config) => WritebackModule.forRoot(config),
  consumes: { stage: 'writeback', topics: [Topics.reportEnriched] },
  produces: [Topics.outboundHl7v2],
};
