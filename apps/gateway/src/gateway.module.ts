import { Module } from '@nestjs/common';
import { Topics, deadLetterTopic } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { GatewayController } from './gateway.controller.ts';
import { InboundGatewayService } from './inbound-gateway.service.ts';
import { MllpListener } from './mllp-listener.ts';

@Module({ controllers: [GatewayController], providers: [InboundGatewayService, MllpListener] })
export class GatewayModule {}

export const gatewayApp: RadflowApp = {
  name: 'gateway',
  module: () => GatewayModule,
  produces: [Topics.inboundHl7v2, Topics.inboundFhir, deadLetterTopic(Topics.inboundHl7v2), deadLetterTopic(Topics.inboundFhir)],
  httpPort: (config) => config.gateway.httpPort,
};
