import { Module } from '@nestjs/common';
import { Topics } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { ShadowController } from './shadow.controller.ts';
import { ShadowStageService } from './shadow-stage.service.ts';

@Module({ controllers: [ShadowController], providers: [ShadowStageService] })
export class ShadowModule {}

/**
 * Shadow evaluation of a candidate model on live finalized reports: its own consumer group, so drafting with two
 * models never holds up feedback intake, and it starts at the live end of the topic (a report finalized before a
 * candidate entered shadow is never scored anyway). It produces nothing but model events.
 */
export const retrainerShadowApp: RadflowApp = {
  name: 'retrainer-shadow',
  module: () => ShadowModule,
  consumes: { stage: 'retrainer-shadow', topics: [Topics.reportFinalized], startFrom: 'latest' },
  produces: [Topics.modelEvents],
};
