import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { RadiologyReport } from '@radflow/schemas';
import type { IdentifierSystemSettings } from './identifier-systems.ts';
import { patientIdentifier } from './references.ts';

/**
 * The patient and the source report as resources of the server radflow writes to (`Type/id`), when radflow
 * found them there. A FHIR source names them relative to its own server, an HL7 source by identifier only;
 * neither tells whether the target server holds them, so the writeback asks it (one batch of searches) and
 * writes a literal reference only to what it found, exactly once. Everything else is referred to by
 * identifier, which never dangles.
 */
export interface ReferenceTargets {
  patient?: string;
  sourceReport?: string;
}

/** One search that may find a target: the patient by the source's id or by identifier, the source report by id. */
export interface ReferenceLookup {
  target: keyof ReferenceTargets;
  resourceType: 'Patient' | 'DiagnosticReport';
  /** The search, relative to the FHIR base; also the key a cache of earlier answers can use. */
  url: string;
}

/** FHIR search escaping of a token value (`\`, `|`, `,`, `$`), then URL encoding. */
function tokenParameter(system: string, value: string): string {
  const escape = (part: string) => part.replace(/[\\|,$]/g, (c) => `\\${c}`);
  return encodeURIComponent(`${escape(system)}|${escape(value)}`);
}

const idOf = (reference: string | undefined, type: string): string | undefined => {
  const match = reference ? new RegExp(`^${type}/([A-Za-z0-9\\-.]{1,64})$`).exec(reference) : null;
  return match?.[1];
};

/** The searches that answer where the patient and source report are, each target's in order of preference. */
export function referenceLookups(
  report: RadiologyReport,
  systems?: IdentifierSystemSettings,
): ReferenceLookup[] {
  const lookups: ReferenceLookup[] = [];
  const patientId = idOf(report.patient.fhirReference, 'Patient');
  if (patientId)
    lookups.push({ target: 'patient', resourceType: 'Patient', url: `Patient?_id=${patientId}&_count=2` });
  const identifier = patientIdentifier(report, systems);
  // An identifier without a system matches any system's: too loose to name one patient.
  if (identifier?.system)
    lookups.push({
      target: 'patient',
      resourceType: 'Patient',
      url: `Patient?identifier=${tokenParameter(identifier.system, identifier.value!)}&_count=2`,
    });
  const reportId = idOf(report.source.fhirReference, 'DiagnosticReport');
  if (reportId)
    lookups.push({
      target: 'sourceReport',
      resourceType: 'DiagnosticReport',
      url: `DiagnosticReport?_id=${reportId}&_count=2`,
    });
  return lookups;
}

/** The lookups as one batch of searches. */
export function lookupBatch(lookups: ReferenceLookup[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'batch',
    entry: lookups.map((lookup): BundleEntry => ({ request: { method: 'GET', url: lookup.url } })),
  };
}

/** The batch-response read against its lookups: search URL → `Type/id` for each search that matched exactly one. */
export function lookupMatches(lookups: ReferenceLookup[], response: Bundle | undefined): Map<string, string> {
  const found = new Map<string, string>();
  lookups.forEach((lookup, index) => {
    const answer = response?.entry?.[index];
    if (!answer?.response?.status?.startsWith('2')) return;
    const matches = ((answer.resource as Bundle | undefined)?.entry ?? [])
      .map((entry) => ({ mode: entry.search?.mode, resource: entry.resource as Resource | undefined }))
      .filter((m) => m.mode !== 'include' && m.mode !== 'outcome')
      .filter((m) => m.resource?.resourceType === lookup.resourceType && m.resource.id);
    if (matches.length === 1) found.set(lookup.url, `${lookup.resourceType}/${matches[0]!.resource!.id}`);
  });
  return found;
}

/** Each target from the first of its lookups that found it. */
export function targetsFrom(
  lookups: ReferenceLookup[],
  found: ReadonlyMap<string, string>,
): ReferenceTargets {
  const targets: ReferenceTargets = {};
  for (const lookup of lookups) {
    const reference = found.get(lookup.url);
    if (reference && !targets[lookup.target]) targets[lookup.target] = reference;
  }
  return targets;
}

/** The batch of searches to send for a report, or undefined when there is nothing to look up. */
export function referenceLookupBundle(
  report: RadiologyReport,
  systems?: IdentifierSystemSettings,
): Bundle | undefined {
  const lookups = referenceLookups(report, systems);
  return lookups.length > 0 ? lookupBatch(lookups) : undefined;
}

/** Reads the batch-response of referenceLookupBundle: a target is set when a search of it matched exactly once. */
export function referenceTargetsFrom(
  report: RadiologyReport,
  response: Bundle | undefined,
  systems?: IdentifierSystemSettings,
): ReferenceTargets {
  const lookups = referenceLookups(report, systems);
  return targetsFrom(lookups, lookupMatches(lookups, response));
}
