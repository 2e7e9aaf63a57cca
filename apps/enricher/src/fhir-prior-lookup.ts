import { readDiagnosticReportEvent } from '@radflow/fhir';
import type { RadiologyReport } from '@radflow/schemas';

export interface FhirPriorLookupOptions {
  baseUrl: string;
  bearerToken?: string;
  timeoutMs: number;
  patientKeySalt: string;
}

/** Searches the EHR's FHIR server for the patient's earlier final chest X-ray DiagnosticReports. */
export class FhirPriorLookup {
  constructor(private readonly options: FhirPriorLookupOptions) {}

  async findPrior(report: RadiologyReport): Promise<RadiologyReport | undefined> {
    const subject = report.patient.fhirReference;
    if (!subject) return undefined;
    const query = new URLSearchParams({
      subject,
      status: 'final,amended,corrected',
      _sort: '-issued',
      _count: '10',
    });
    const response = await fetch(`${this.options.baseUrl}/DiagnosticReport?${query}`, {
      headers: {
        accept: 'application/fhir+json',
        ...(this.options.bearerToken ? { authorization: `Bearer ${this.options.bearerToken}` } : {}),
      },
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!response.ok)
      throw Object.assign(new Error(`FHIR search answered ${response.status}`), {
        code: `HTTP_${response.status}`,
      });
    const read = readDiagnosticReportEvent(Buffer.from(await response.arrayBuffer()), {
      maxBytes: 16 * 1024 * 1024,
      patientKeySalt: this.options.patientKeySalt,
    });
    if (!read.ok) return undefined;
    const before = Date.parse(report.reportedAt ?? report.observedAt ?? '') || Infinity;
    return read.reports
      .filter(
        (candidate) =>
          candidate.accession !== report.accession && !candidate.source.fhirReference?.includes('radflow'),
      )
      .filter((candidate) => (Date.parse(candidate.reportedAt ?? candidate.observedAt ?? '') || 0) < before)
      .sort((a, b) => Date.parse(b.reportedAt ?? '') - Date.parse(a.reportedAt ?? ''))[0];
  }
}
