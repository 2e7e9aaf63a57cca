import type { RadiologyReport } from '@radflow/schemas';
import type { Database } from './database.ts';

export interface StoredReport {
  report: RadiologyReport;
  reportedAt: string | null;
}

/** Finalized reports by patient key: the local source of prior reports. */
export class ReportStore {
  constructor(private readonly database: Database) {}

  async save(report: RadiologyReport): Promise<void> {
    await this.database.query(
      `INSERT INTO radiology_reports (accession, report_version, patient_key, reported_at, report)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (accession, report_version) DO UPDATE SET report = EXCLUDED.report, reported_at = EXCLUDED.reported_at`,
      [
        report.accession,
        report.reportVersion,
        report.patient.key,
        toTimestamp(report.reportedAt ?? report.observedAt),
        report,
      ],
    );
  }

  /** The most recent report of the same patient before this one, other accessions only. */
  async findPrior(report: RadiologyReport): Promise<StoredReport | undefined> {
    const before = toTimestamp(report.reportedAt ?? report.observedAt);
    const result = await this.database.query<{ report: RadiologyReport; reported_at: Date | null }>(
      `SELECT report, reported_at FROM radiology_reports
       WHERE patient_key = $1 AND accession <> $2 AND ($3::timestamptz IS NULL OR reported_at < $3::timestamptz)
       ORDER BY reported_at DESC NULLS LAST, received_at DESC LIMIT 1`,
      [report.patient.key, report.accession, before],
    );
    const row = result.rows[0];
    return row ? { report: row.report, reportedAt: row.reported_at?.toISOString() ?? null } : undefined;
  }
}

function toTimestamp(value: string | undefined): string | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
