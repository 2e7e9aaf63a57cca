import { Module } from '@nestjs/common';
import { Topics } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { ruleLabelerProvider } from '../rule-labeler.provider.ts';
import { TriageController } from './triage.controller.ts';
import { TriageService } from './triage.service.ts';

@Module({ controllers: [TriageController], providers: [TriageService, ruleLabelerProvider] })
export class TriageModule {}

/** Finalized reports → the rules' worklist priority, ahead of the model (ARCHITECTURE: priority first). */
export const triageApp: RadflowApp = {
  name: 'triage',
  module: () => TriageModule,
  consumes: { stage: 'triage', topics: [Topics.reportFinalized], microBatch: true },
  produces: [Topics.reportTriaged],
};
