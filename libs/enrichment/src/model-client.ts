import type { TaskOptions } from './draft-with-model.ts';
import type { ModelDraft } from './types.ts';
import type { RadiologyReport } from '@radflow/schemas';

/** The enricher's view of the model: one call per report, bounded by a deadline. */
export interface ModelClient {
  draft(
    report: RadiologyReport,
    prior: RadiologyReport | undefined,
    deadlineMs: number,
    priority?: TaskOptions['priority'],
  ): Promise<ModelDraft>;
}
