import type { RadiologyReport } from '@radflow/schemas';
import { draftWithModel, type TaskOptions, type TaskRunner } from './draft-with-model.ts';
import type { ModelClient } from './model-client.ts';

/** Drafts through any task runner: the in-process ModelHost, or the inference service over HTTP (apps/enricher). */
export class TaskRunnerModelClient implements ModelClient {
  constructor(private readonly runner: TaskRunner) {}

  draft(
    report: RadiologyReport,
    prior: RadiologyReport | undefined,
    deadlineMs: number,
    priority?: TaskOptions['priority'],
  ) {
    return draftWithModel(this.runner, report, prior, deadlineMs, priority);
  }
}
