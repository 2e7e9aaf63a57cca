import { Module } from '@nestjs/common';
import { Topics } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { WorklistFeed } from './worklist-feed.ts';
import { WorklistHub } from './worklist-hub.ts';
import { WorklistServer } from './worklist-server.ts';
import { WorklistService } from './worklist.service.ts';

@Module({
  providers: [WorklistHub, WorklistService, WorklistFeed, WorklistServer],
  exports: [WorklistServer, WorklistHub],
})
export class WorklistModule {}

/**
 * The worklist web page on its own port (WORKLIST_PORT): enriched exams by priority, live from
 * rad.report.enriched.v1 and rad.feedback.v1 (a consumer group of its own per process), review actions published
 * as rad.feedback.v1.
 */
export const worklistApp: RadflowApp = {
  name: 'worklist',
  module: () => WorklistModule,
  produces: [Topics.feedback],
};
