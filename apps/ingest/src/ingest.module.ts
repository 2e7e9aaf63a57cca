import { Module } from '@nestjs/common';
import { Topics } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { IngestController } from './ingest.controller.ts';
import { IngestService } from './ingest.service.ts';

@Module({ controllers: [IngestController], providers: [IngestService] })
export class IngestModule {}

export const ingestApp: RadflowApp = {
  name: 'ingest',
  module: () => IngestModule,
  consumes: { stage: 'ingest', topics: [Topics.inboundHl7v2, Topics.inboundFhir], microBatch: true },
  produces: [Topics.reportFinalized],
};
