import { logHash, type Logger } from '@radflow/config';
import {
  composeEnrichment,
  type LabelSource,
  type ModelDraft,
  type ModelUnavailable,
  type WorklistPriority,
} from '@radflow/enrichment';
import type { RadiologyReport, ReportEnrichedPayload } from '@radflow/schemas';
import type { ModelClient } from './model-client.ts';
import type { RuleLabeler } from './rule-labeler.ts';

/**
 * Enriches one report given its prior: the code path shared by the enricher service and `radflow enrich`.
 * The model never holds it up: past the deadline or on failure the enrichment is rules-only, marked degraded.
 */
export class ReportEnricher {
  constructor(
    private readonly model: ModelClient,
    private readonly rules: RuleLabeler,
    private readonly deadlineMs: number,
    private readonly logger: Logger,
    private readonly labelSource: LabelSource = 'rules',
  ) {}

  async enrich(report: RadiologyReport, prior: RadiologyReport | undefined): Promise<ReportEnrichedPayload> {
    // The rules' priority orders the model's queue (STAT first); the final priority also weighs the model's labels.
    const triage = this.rules.triage(report);
    const model = await this.draftWithinDeadline(report, prior, triage.priority.level);
    const enrichment = composeEnrichment({
      report,
      rules: triage.reading,
      rulesLabeler: this.rules.identity,
      model,
      labelSource: this.labelSource,
      ...(prior ? { prior: { report: prior, rules: this.rules.read(prior) } } : {}),
      assessPriority: (abnormalities, devices, current) =>
        this.rules.assessPriority(abnormalities, devices, current),
    });
    return { report, enrichment };
  }

  private async draftWithinDeadline(
    report: RadiologyReport,
    prior: RadiologyReport | undefined,
    priority: WorklistPriority['level'],
  ): Promise<ModelDraft | ModelUnavailable> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.model.draft(report, prior, this.deadlineMs, priority),
        new Promise<never>((_, reject) => {
          // A little grace beyond the runtime's own deadline, for the transport.
          timer = setTimeout(
            () => reject(new Error(`model deadline of ${this.deadlineMs} ms exceeded`)),
            this.deadlineMs + 250,
          );
        }),
      ]);
    } catch (error) {
      const failure = (error as Error).message || 'model unavailable';
      this.logger.warn(
        { accessionHash: logHash(report.accession), failure },
        'model unavailable, rules-only enrichment',
      );
      return { failure };
    } finally {
      clearTimeout(timer);
    }
  }
}
