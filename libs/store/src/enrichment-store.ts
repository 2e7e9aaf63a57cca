import type { ReportEnrichedPayload } from '@radflow/schemas';
import type { Database } from './database.ts';

/** Enrichments radflow produced, kept for feedback pairing (draft vs signed report). */
export class EnrichmentStore {
  constructor(private readonly database: Database) {}

  async save(enriched: ReportEnrichedPayload): Promise<void> {
    await this.database.query(
      `INSERT INTO enrichments (accession, report_version, model_version, patient_key, enriched)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [
        enriched.report.accession,
        enriched.report.reportVersion,
        `${enriched.enrichment.model.name}@${enriched.enrichment.model.version}`,
        enriched.report.patient.key,
        enriched,
      ],
    );
  }

  async latestForAccession(accession: string): Promise<ReportEnrichedPayload | undefined> {
    const result = await this.database.query<{ enriched: ReportEnrichedPayload }>(
      'SELECT enriched FROM enrichments WHERE accession = $1 ORDER BY created_at DESC LIMIT 1',
      [accession],
    );
    return result.rows[0]?.enriched;
  }
}
