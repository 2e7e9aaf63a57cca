import type { RadiologyReport, ReportEnrichedPayload } from '@radflow/schemas';
import { composeEnrichment } from './compose-enrichment.ts';
import type { LabelSource } from './merge-labels.ts';
import type { ModelClient } from './model-client.ts';
import type { RuleLabeler } from './rule-labeler.ts';
import type { ModelDraft, ModelUnavailable, WorklistPriority } from './types.ts';

export interface ReportEnricherOptions {
  /** The model's budget per report; past it (plus a little grace for the transport) the enrichment is rules-only. */
  deadlineMs: number;
  /** Whose labels are emitted (ENRICHMENT_LABELS, see mergeLabelCalls). */
  labelSource?: LabelSource;
  /** Check the model's draft impression against the findings (ENRICHMENT_DRAFT_CHECK; default on). */
  checkDraftImpression?: boolean;
  /** Told when the model failed or missed its deadline: the app logs it (hashed ids only) and counts it. */
  onModelUnavailable?: (report: RadiologyReport, failure: string) => void;
}

/**
 * Enriches one report given its prior: the one code path of the enricher service, `radflow enrich` and the
 * benchmarks, with its collaborators (model, rule labeler) passed in. The model never holds it up: past the
 * deadline or on failure the enrichment is rules-only, marked degraded.
 */
export class ReportEnricher {
  private readonly deadlineMs: number;

  constructor(
    private readonly model: ModelClient,
    private readonly rules: RuleLabeler,
    private readonly options: ReportEnricherOptions,
  ) {
    this.deadlineMs = options.deadlineMs;
  }

  async enrich(report: RadiologyReport, prior: RadiologyReport | undefined): Promise<ReportEnrichedPayload> {
    // The rules' priority orders the model's queue (STAT first); the final priority also weighs the model's labels.
    const triage = this.rules.triage(report);
    const model = await this.draftWithinDeadline(report, prior, triage.priority.level);
    const enrichment = composeEnrichment({
      report,
      rules: triage.reading,
      rulesLabeler: this.rules.identity,
      model,
      ...(this.options.labelSource ? { labelSource: this.options.labelSource } : {}),
      ...(prior ? { prior: { report: prior, rules: this.rules.read(prior) } } : {}),
      assessPriority: (abnormalities, devices, current) =>
        this.rules.assessPriority(abnormalities, devices, current),
      ...(this.options.checkDraftImpression !== false
        ? {
            checkDraft: (draft: string, current: RadiologyReport) =>
              this.rules.checkDraftImpression(draft, current),
          }
        : {}),
    });
    return { report, enrichment };
  }

  private async draftWithinDeadline(
    report: RadiologyReport,
    prior: RadiologyReport | undefined,
    priority: WorklistPriority['level'],
  ): Promise<ModelDraft | ModelUnavailable> {
    let timer: ReturnType<typeof setTimeout> | undefined;
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
      this.options.onModelUnavailable?.(report, failure);
      return { failure };
    } finally {
      clearTimeout(timer);
    }
  }
}
