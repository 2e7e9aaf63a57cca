import type { Logger } from '@radflow/config';
import type { RadiologyReport } from '@radflow/schemas';
import type { ReportStore } from '@radflow/store';
import type { FhirPriorLookup } from './fhir-prior-lookup.ts';

/**
 * The patient's most recent earlier chest X-ray report: radflow's own store first (every report it has seen),
 * then the EHR's FHIR server for history from before radflow was installed.
 */
export class PriorReportFinder {
  constructor(
    private readonly store: ReportStore,
    private readonly fhir: FhirPriorLookup | undefined,
    private readonly logger: Logger,
  ) {}

  async find(report: RadiologyReport): Promise<RadiologyReport | undefined> {
    const local = await this.store.findPrior(report);
    if (local) return local.report;
    if (!this.fhir) return undefined;
    try {
      return await this.fhir.findPrior(report);
    } catch (error) {
      // A prior is a nice-to-have: without it the enrichment simply has no temporal diff.
      this.logger.warn(
        { code: (error as { code?: string }).code ?? (error as Error).name },
        'FHIR prior lookup failed',
      );
      return undefined;
    }
  }
}
