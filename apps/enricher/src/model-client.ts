import type { ModelDraft, TaskOptions } from '@radflow/enrichment';
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
