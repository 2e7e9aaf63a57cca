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

  /**
   * The latest enrichment of another version of the report: the draft that a signed or amended version answers.
   * The enricher may already have stored the new version's own enrichment, so "latest" alone would pair the new
   * version with itself and lose the pair.
   */
  async latestDraftBefore(
    accession: string,
    reportVersion: string,
  ): Promise<ReportEnrichedPayload | undefined> {
    const result = await this.database.query<{ enriched: ReportEnrichedPayload }>(
      `SELECT enriched FROM enrichments WHERE accession = $1 AND report_version <> $2
       ORDER BY created_at DESC LIMIT 1`,
      [accession, reportVersion],
    );
    return result.rows[0]?.enriched;
  }

  async latestForAccession(accession: string): Promise<ReportEnrichedPayload | undefined> {
    const result = await this.database.query<{ enriched: ReportEnrichedPayload }>(
      'SELECT enriched FROM enrichments WHERE accession = $1 ORDER BY created_at DESC LIMIT 1',
      [accession],
    );
    return result.rows[0]?.enriched;
  }
}
