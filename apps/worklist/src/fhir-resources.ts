import type { RadflowConfig } from '@radflow/config';
import { IdentifierSystems, fhirAuthFor, fhirFetch, tokenQuery, writebackKey } from '@radflow/fhir';
import type { ReportEnrichedPayload } from '@radflow/schemas';

export interface WrittenResource {
  resourceType: string;
  id: string;
  status?: string;
}

export type FhirResourcesResult = { resources: WrittenResource[] } | { unavailable: string };

/**
 * The FHIR resources writeback wrote for one enrichment: its AI DiagnosticReport (found by the writeback key,
 * the identifier it was conditionally created with), the Observations it lists, the priority Task and the
 * Provenance. Read from the FHIR server on demand; the search URL carries the accession, so it is never logged.
 */
export class FhirResourceLookup {
  private readonly fetch: ReturnType<typeof fhirFetch>;

  constructor(private readonly fhir: RadflowConfig['fhir']) {
    this.fetch = fhirFetch(fhirAuthFor(fhir));
  }

  async written(enriched: ReportEnrichedPayload): Promise<FhirResourcesResult> {
    const query =
      `DiagnosticReport?${tokenQuery('identifier', IdentifierSystems.aiReport, writebackKey(enriched))}` +
      '&_include=DiagnosticReport:result&_revinclude=Task:focus&_revinclude=Provenance:target&_count=100';
    let response: Response;
    try {
      response = await this.fetch(`${this.fhir.baseUrl.replace(/\/$/, '')}/${query}`, {
        headers: { accept: 'application/fhir+json' },
        signal: AbortSignal.timeout(this.fhir.timeoutMs),
      });
    } catch (error) {
      return { unavailable: `FHIR server not reachable (${(error as Error).name})` };
    }
    if (!response.ok) return { unavailable: `FHIR search answered ${response.status}` };
    const bundle = (await response.json()) as {
      entry?: { resource?: { resourceType: string; id?: string; status?: string } }[];
    };
    const resources = (bundle.entry ?? [])
      .map((e) => e.resource)
      .filter((r): r is { resourceType: string; id: string; status?: string } => Boolean(r?.id))
      .map((r) => ({ resourceType: r.resourceType, id: r.id, ...(r.status ? { status: r.status } : {}) }));
    const order = ['DiagnosticReport', 'Observation', 'Task', 'Provenance'];
    resources.sort(
      (a, b) => order.indexOf(a.resourceType) - order.indexOf(b.resourceType) || a.id.localeCompare(b.id),
    );
    return { resources };
  }
}
