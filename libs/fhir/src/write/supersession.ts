import type {
  BundleEntry,
  DiagnosticReport,
  Extension,
  Observation,
  Resource,
  Task,
} from '@medplum/fhirtypes';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { epochMillis } from './fhir-primitives.ts';
import { withNarrative } from './narrative.ts';
import { escapeKeyPart, tokenQuery } from './writeback-key.ts';
import { ACCESSION_TAG_SYSTEM, Extensions, IdentifierSystems, SUPERSEDED_TAG } from './vocabulary.ts';

/**
 * What an amended or corrected source report changes about what radflow already wrote for the same exam:
 * the AI resources of earlier report versions are marked entered-in-error in the same transaction that
 * writes the new ones. When a newer version's AI report is already there (an old version replayed late),
 * the incoming enrichment is written already retired instead, so the newest version always wins.
 */
export interface SupersessionPlan {
  /** Resources as read (meta.versionId kept for If-Match), to be marked entered-in-error. */
  retire: Resource[];
  supersededOnArrival: boolean;
}

export const NOTHING_TO_SUPERSEDE: SupersessionPlan = { retire: [], supersededOnArrival: false };

/** The search (relative to the FHIR base) returning every AI report of the exam with its Observations and Tasks. */
export function supersessionSearch(enriched: Pick<ReportEnrichedPayload, 'report'>): string {
  return (
    `DiagnosticReport?${tokenQuery('_tag', ACCESSION_TAG_SYSTEM, escapeKeyPart(enriched.report.accession))}` +
    '&_include=DiagnosticReport:result&_revinclude=Task:focus&_count=200'
  );
}

export const isActive = (resource: { status?: string }) => resource.status !== 'entered-in-error';

/** A string or dateTime extension of a resource radflow wrote (source report version, source reported-at). */
export function extensionValue(resource: { extension?: Extension[] }, url: string): string | undefined {
  const extension = resource.extension?.find((candidate) => candidate.url === url);
  return extension?.valueString ?? extension?.valueDateTime;
}

function isRadflowAiReport(resource: Resource): resource is DiagnosticReport & { id: string } {
  return (
    resource.resourceType === 'DiagnosticReport' &&
    resource.id !== undefined &&
    (resource.identifier ?? []).some((identifier) => identifier.system === IdentifierSystems.aiReport)
  );
}

export function planSupersession(
  enriched: Pick<ReportEnrichedPayload, 'report'>,
  found: Resource[],
): SupersessionPlan {
  const { report } = enriched;
  const incomingAt = epochMillis(report.reportedAt);
  const observations = new Map(
    found
      .filter((r): r is Observation & { id: string } => r.resourceType === 'Observation' && !!r.id)
      .map((r) => [`Observation/${r.id}`, r]),
  );
  const tasks = found.filter((r): r is Task => r.resourceType === 'Task');
  const retire: Resource[] = [];
  let supersededOnArrival = false;

  for (const aiReport of found.filter(isRadflowAiReport).filter(isActive)) {
    if (extensionValue(aiReport, Extensions.sourceReportVersion) === report.reportVersion) continue;
    const existingAt = epochMillis(extensionValue(aiReport, Extensions.sourceReportedAt));
    if (incomingAt !== undefined && existingAt !== undefined && existingAt > incomingAt) {
      supersededOnArrival = true;
      continue;
    }
    // Unknown times: the version that arrives last wins (one patient's reports arrive in order on their key).
    const reportRef = `DiagnosticReport/${aiReport.id}`;
    retire.push(aiReport);
    for (const result of aiReport.result ?? []) {
      const observation = result.reference ? observations.get(result.reference) : undefined;
      if (observation && isActive(observation)) retire.push(observation);
    }
    retire.push(...tasks.filter((task) => task.focus?.reference === reportRef && isActive(task)));
  }
  return { retire, supersededOnArrival };
}

/** The resource marked entered-in-error and tagged superseded; AIAST and the other labels stay. */
export function retiredResource(resource: Resource): Resource {
  const { versionId: _versionId, lastUpdated: _lastUpdated, ...meta } = resource.meta ?? {};
  const tags = meta.tag ?? [];
  const tag = tags.some((t) => t.system === SUPERSEDED_TAG.system && t.code === SUPERSEDED_TAG.code)
    ? tags
    : [...tags, SUPERSEDED_TAG];
  // The narrative says so too: an EHR that shows only the text must not show a retired draft as current.
  return withNarrative({ ...resource, meta: { ...meta, tag }, status: 'entered-in-error' } as Resource);
}

/** An update guarded by the version read, so a concurrent change makes the transaction fail and retry. */
export function retirementEntry(resource: Resource): BundleEntry {
  const versionId = resource.meta?.versionId;
  return {
    resource: retiredResource(resource),
    request: {
      method: 'PUT',
      url: `${resource.resourceType}/${resource.id}`,
      ...(versionId ? { ifMatch: `W/"${versionId}"` } : {}),
    },
  };
}
