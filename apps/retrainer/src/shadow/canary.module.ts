import { Module } from '@nestjs/common';
import { Topics } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { CanaryController } from './canary.controller.ts';
import { CanaryStageService } from './canary-stage.service.ts';

@Module({ controllers: [CanaryController], providers: [CanaryStageService] })
export class CanaryModule {}

/**
 * The canary's live evaluation: its own consumer group on rad.report.enriched.v1 (the drafts served, by the canary or
 * by the serving model), apart from shadow drafting so a slow shadow model never delays a rollback. Starts at the
 * live end: only drafts served while a canary runs count. It produces nothing but model events.
 */
export const retrainerCanaryApp: RadflowApp = {
  name: 'retrainer-canary',
  module: () => CanaryModule,
  consumes: { stage: 'retrainer-canary', topics: [Topics.reportEnriched], startFrom: 'latest' },
  produces: [Topics.modelEvents],
};
