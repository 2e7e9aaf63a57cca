import { Module } from '@nestjs/common';
import { Topics } from '@radflow/events';
import type { RadflowApp } from '@radflow/platform';
import { FeedbackApiController } from './feedback-api.controller.ts';
import { FeedbackEventsController } from './feedback-events.controller.ts';
import { FeedbackIntakeService } from './feedback-intake.service.ts';
import { RetrainingService } from './retraining.service.ts';

@Module({
  controllers: [FeedbackEventsController, FeedbackApiController],
  providers: [FeedbackIntakeService, RetrainingService],
  exports: [RetrainingService, FeedbackIntakeService],
})
export class RetrainerModule {}

/** Feedback API and consumers, retraining policy, evaluation gate and model registry, as one radflow app. */
export const retrainerApp: RadflowApp = {
  name: 'retrainer',
  module: () => RetrainerModule,
  consumes: { stage: 'retrainer', topics: [Topics.feedback, Topics.reportFinalized] },
  produces: [Topics.feedback, Topics.modelEvents],
  httpPort: (config) => config.retrainer.httpPort,
};
