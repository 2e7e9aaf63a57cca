import { Module } from '@nestjs/common';
import type { RadflowConfig } from '@radflow/config';
import { Topics, deadLetterTopic } from '@radflow/events';
import { CONFIG, type RadflowApp } from '@radflow/platform';
import { GatewayBodyReader } from './body-reader.ts';
import { FhirReportFetcher } from './fhir-report-fetcher.ts';
import { GatewayController } from './gateway.controller.ts';
import { InboundGatewayService } from './inbound-gateway.service.ts';
import { MllpListener } from './mllp-listener.ts';
import { StatLaneSelector } from './stat-lane-selector.ts';

@Module({
  controllers: [GatewayController],
  providers: [
    GatewayBodyReader,
    InboundGatewayService,
    MllpListener,
    {
      provide: StatLaneSelector,
      useFactory: (config: RadflowConfig) => new StatLaneSelector(config),
      inject: [CONFIG],
    },
    {
      provide: FhirReportFetcher,
      useFactory: (config: RadflowConfig) => new FhirReportFetcher(config.fhir),
      inject: [CONFIG],
    },
  ],
})
export class GatewayModule {}

export const gatewayApp: RadflowApp = {
  name: 'gateway',
  module: () => GatewayModule,
  produces: [
    Topics.inboundHl7v2,
    Topics.inboundFhir,
    Topics.statLaneHl7v2,
    Topics.statLaneFhir,
    deadLetterTopic(Topics.inboundHl7v2),
    deadLetterTopic(Topics.inboundFhir),
  ],
  httpPort: (config) => config.gateway.httpPort,
};
