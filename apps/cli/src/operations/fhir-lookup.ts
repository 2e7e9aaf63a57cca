import type { RadflowConfig } from '@radflow/config';
import {
  ACCESSION_TAG_SYSTEM,
  escapeKeyPart,
  fhirAuthFor,
  fhirFetch,
  IdentifierSystems,
  WRITEBACK_KEY_TAG_SYSTEM,
} from '@radflow/fhir';
import { OperationsError } from './operations-error.ts';
import type { FhirSighting } from './trace-timeline.ts';

interface Resource {
  resourceType: string;
  id?: string;
  status?: string;
  priority?: string;
  meta?: { lastUpdated?: string; tag?: { system?: string; code?: string }[] };
  result?: { reference?: string }[];
}

/**
 * What radflow wrote to the FHIR server for one accession: its AI DiagnosticReports (by the accession identifier
 * and tag), their Observations, review Tasks and Provenance, and the worklist Tasks (by the accession tag).
 * Only ids, statuses, times and radflow's tag codes leave this module: never text.
 */
export async function fhirResourcesFor(
  config: RadflowConfig['fhir'],
  accession: string,
): Promise<FhirSighting[]> {
  const found = new Map<string, Resource>();
  const search = async (query: string) => {
    for (const resource of await fhirSearch(config, query)) {
      if (resource.id) found.set(`${resource.resourceType}/${resource.id}`, resource);
    }
  };
  const token = (system: string, value: string) => encodeURIComponent(`${system}|${value}`);
  // Independent searches in parallel: a server without an index on tags answers each slowly.
  await Promise.all([
    search(`DiagnosticReport?identifier=${token(IdentifierSystems.accession, accession)}&_count=100`),
    search(`DiagnosticReport?_tag=${token(ACCESSION_TAG_SYSTEM, escapeKeyPart(accession))}&_count=100`),
    search(`Task?_tag=${token(ACCESSION_TAG_SYSTEM, escapeKeyPart(accession))}&_count=100`),
  ]);
  const reports = [...found.values()].filter((r) => r.resourceType === 'DiagnosticReport');
  await Promise.all(
    reports.flatMap((report) => {
      const observations = (report.result ?? [])
        .map((ref) => /^Observation\/(.+)$/.exec(ref.reference ?? '')?.[1])
        .filter((id): id is string => id !== undefined);
      return [
        search(`Task?focus=DiagnosticReport/${report.id}&_count=100`),
        search(`Provenance?target=DiagnosticReport/${report.id}&_count=100`),
        ...(observations.length > 0 ? [search(`Observation?_id=${observations.join(',')}&_count=100`)] : []),
      ];
    }),
  );
  return [...found.values()].map(sighting);
}

function sighting(resource: Resource): FhirSighting {
  const tags = (resource.meta?.tag ?? [])
    .filter(
      (tag) =>
        tag.code &&
        (tag.system ?? '').startsWith('urn:radflow') &&
        tag.system !== ACCESSION_TAG_SYSTEM &&
        tag.system !== WRITEBACK_KEY_TAG_SYSTEM,
    )
    .map((tag) => tag.code!);
  if (resource.resourceType === 'Task' && resource.priority) tags.push(`priority=${resource.priority}`);
  return {
    resourceType: resource.resourceType,
    id: resource.id!,
    ...(resource.status ? { status: resource.status } : {}),
    ...(resource.meta?.lastUpdated ? { lastUpdated: resource.meta.lastUpdated } : {}),
    tags,
  };
}

async function fhirSearch(config: RadflowConfig['fhir'], query: string): Promise<Resource[]> {
  let response: Response;
  try {
    response = await fhirFetch(fhirAuthFor(config))(`${config.baseUrl}/${query}`, {
      headers: { accept: 'application/fhir+json' },
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (error) {
    throw new OperationsError(
      `FHIR server at ${config.baseUrl} is unreachable: ${(error as Error).message}`,
      'FHIR_UNAVAILABLE',
      'check FHIR_BASE_URL and FHIR_AUTH (FHIR_BEARER_TOKEN or FHIR_SMART_*), or run with --no-fhir',
    );
  }
  if (!response.ok) {
    throw new OperationsError(
      `FHIR search ${query.split('?')[0]} answered ${response.status}`,
      'FHIR_SEARCH_FAILED',
      response.status === 401 || response.status === 403
        ? 'the FHIR credentials (FHIR_AUTH) are missing, expired or lack search rights'
        : 'see the FHIR server log; run with --no-fhir to trace without it',
    );
  }
  const bundle = (await response.json()) as { entry?: { resource?: Resource }[] };
  return (bundle.entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : []));
}
