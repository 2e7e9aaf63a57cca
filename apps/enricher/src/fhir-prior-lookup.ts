import {
  fhirClientFor,
  patientIdentifier,
  readDiagnosticReportEvent,
  type FhirAuthOptions,
  type FhirClient,
  type IdentifierSystemSettings,
} from '@radflow/fhir';
import { selectFinalizedChestXray, type ChestXrayPolicy } from '@radflow/inbound';
import { traceFhirCall } from '@radflow/platform';
import type { RadiologyReport } from '@radflow/schemas';

export interface FhirPriorLookupOptions {
  baseUrl: string;
  /** FHIR_AUTH (none, bearer, smart-backend); `bearerToken` alone still means a static token. */
  auth?: FhirAuthOptions;
  bearerToken?: string;
  timeoutMs: number;
  patientKeySalt: string;
  /** What counts as a chest X-ray (the same policy ingest applies): a CT or ultrasound is never the prior. */
  chestXray: ChestXrayPolicy;
  /** How an HL7 assigning authority becomes the identifier system the EHR knows the patient by. */
  identifierSystems?: IdentifierSystemSettings;
}

/**
 * Searches the EHR's FHIR server for the patient's latest earlier final chest X-ray DiagnosticReport: by the source's
 * patient reference for FHIR-sourced reports; for HL7-sourced ones, first the Patient by identifier (system mapped as
 * the writeback maps it; used only when exactly one patient matches), then their reports. Two plain searches rather
 * than a chained one, which not every EHR's FHIR server supports. Throws the FHIR client's FhirError.
 */
export class FhirPriorLookup {
  private readonly fhir: FhirClient;

  constructor(private readonly options: FhirPriorLookupOptions) {
    this.fhir = fhirClientFor(options, { around: traceFhirCall });
  }

  async findPrior(report: RadiologyReport): Promise<RadiologyReport | undefined> {
    const subject = report.patient.fhirReference ?? (await this.patientByIdentifier(report));
    if (!subject) return undefined;
    const query = new URLSearchParams({
      subject,
      status: 'final,amended,corrected',
      _sort: '-issued',
      _count: '20',
    });
    const bundle = await this.fhir.search(`DiagnosticReport?${query}`);
    const read = readDiagnosticReportEvent(JSON.stringify(bundle), {
      maxBytes: 16 * 1024 * 1024,
      patientKeySalt: this.options.patientKeySalt,
    });
    if (!read.ok) return undefined;
    return latestEarlierChestXray(report, read.reports, this.options.chestXray);
  }

  /** `Patient/<id>` of the one patient with the report's identifier, or undefined (none, several, or no system). */
  private async patientByIdentifier(report: RadiologyReport): Promise<string | undefined> {
    const identifier = patientIdentifier(report, this.options.identifierSystems);
    if (!identifier?.system) return undefined; // a bare value could match another authority's patient
    const query = new URLSearchParams({
      identifier: `${identifier.system}|${identifier.value}`,
      _count: '2',
    });
    const bundle = await this.fhir.search(`Patient?${query}`);
    const patients = (bundle.entry ?? []).filter(
      (e) => e.resource?.resourceType === 'Patient' && e.resource.id,
    );
    return patients.length === 1 ? `Patient/${patients[0]!.resource!.id}` : undefined;
  }
}

/** The latest candidate reported before the report itself that is a finalized chest X-ray and not radflow's own. */
export function latestEarlierChestXray(
  report: RadiologyReport,
  candidates: readonly RadiologyReport[],
  policy: ChestXrayPolicy,
): RadiologyReport | undefined {
  const before = Date.parse(report.reportedAt ?? report.observedAt ?? '') || Infinity;
  const when = (r: RadiologyReport) => Date.parse(r.reportedAt ?? r.observedAt ?? '') || 0;
  return candidates
    .filter((c) => c.accession !== report.accession && !c.source.fhirReference?.includes('radflow'))
    .filter((c) => selectFinalizedChestXray(c, policy).accepted)
    .filter((c) => when(c) < before)
    .sort((a, b) => when(b) - when(a))[0];
}
