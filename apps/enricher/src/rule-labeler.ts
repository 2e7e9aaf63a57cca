import type { EnrichedLabel, RuleReading, WorklistPriority } from '@radflow/enrichment';
import type { RadiologyReport } from '@radflow/schemas';

/** The rule labeler as the enricher uses it: the safety net when the model is down, a second opinion when up. */
export interface RuleLabeler {
  identity: { name: string; version: string };
  read(report: RadiologyReport): RuleReading;
  assessPriority(
    abnormalities: EnrichedLabel[],
    devices: EnrichedLabel[],
    report: RadiologyReport,
  ): WorklistPriority;
}
