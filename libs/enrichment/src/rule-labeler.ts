import type { CheckedDraft, EnrichedLabel, RuleReading, WorklistPriority } from './types.ts';
import type { RadiologyReport } from '@radflow/schemas';

/** The rule labeler as the enricher uses it: the safety net when the model is down, a second opinion when up. */
export interface RuleLabeler {
  identity: { name: string; version: string };
  read(report: RadiologyReport): RuleReading;
  /** The rules alone, before any model: the triage stage's priority and the model queue's order. */
  triage(report: RadiologyReport): { reading: RuleReading; priority: WorklistPriority };
  assessPriority(
    abnormalities: EnrichedLabel[],
    devices: EnrichedLabel[],
    report: RadiologyReport,
  ): WorklistPriority;
  /** The model's draft impression checked against the report's findings (see checkDraftImpression in libs/labels). */
  checkDraftImpression(draft: string, report: RadiologyReport): CheckedDraft;
}
