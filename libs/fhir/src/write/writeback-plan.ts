import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import type { FhirClient } from '../client/fhir-client.ts';
import { FhirError } from '../client/fhir-error.ts';
import type { IdentifierSystemSettings } from './identifier-systems.ts';
import type { ReferenceFinder } from './reference-resolver.ts';
import { planSupersession, supersessionSearch } from './supersession.ts';
import {
  addSummaries,
  summarizeTransactionResponse,
  type TransactionSummary,
} from './transaction-response.ts';
import {
  MEDPLUM_TRANSACTION_LIMITS,
  planTransactionSteps,
  resolvedIdentities,
  resolveStepReferences,
  retirementBundle,
  writtenAiResources,
  type TransactionLimits,
} from './transaction-steps.ts';
import { buildWritebackBundle } from './writeback-bundle.ts';

export interface WritebackPlanOptions {
  identifierSystems?: IdentifierSystemSettings;
  /** What one transaction may hold on this server; Medplum's caps by default. */
  limits?: TransactionLimits;
}

export type WritebackOutcome = TransactionSummary & { supersededOnArrival: boolean };

/**
 * The FHIR side of one enriched report's writeback: find what earlier versions wrote, plan their supersession,
 * build the bundle (AI DiagnosticReport, Observations, review Task, Device, Provenance) with literal references only
 * to what exists, and send it. Safe to repeat (conditional creates); throws the client's FhirError.
 */
export async function writeBackEnrichment(
  fhir: Pick<FhirClient, 'searchResources' | 'transaction'>,
  references: ReferenceFinder,
  enriched: ReportEnrichedPayload,
  options: WritebackPlanOptions = {},
): Promise<WritebackOutcome> {
  const supersession = planSupersession(enriched, await fhir.searchResources(supersessionSearch(enriched)));
  const bundle = buildWritebackBundle(enriched, {
    supersession,
    targets: await references.targets(enriched.report),
    ...(options.identifierSystems ? { identifierSystems: options.identifierSystems } : {}),
  });
  const summary = await sendInSteps(fhir, bundle, options.limits);
  return { ...summary, supersededOnArrival: supersession.supersededOnArrival };
}

/**
 * A bundle as one transaction, or as ordered steps where the server caps transaction size. A step refused for
 * good (a permanent FhirError) first retires what the earlier steps wrote, so no half-written result stays current.
 */
export async function sendInSteps(
  fhir: Pick<FhirClient, 'transaction'>,
  bundle: Bundle,
  limits: TransactionLimits = MEDPLUM_TRANSACTION_LIMITS,
): Promise<TransactionSummary> {
  const resolved = new Map<string, string>();
  const written: Resource[] = [];
  let summary: TransactionSummary = { created: 0, alreadyPresent: 0, retired: 0 };
  for (const planned of planTransactionSteps(bundle, limits)) {
    const step = resolveStepReferences(planned, resolved);
    let response: Bundle;
    try {
      response = await fhir.transaction(step);
    } catch (error) {
      if (error instanceof FhirError && error.permanent && written.length > 0) {
        for (const undo of planTransactionSteps(retirementBundle(written), limits))
          await fhir.transaction(undo);
      }
      throw error;
    }
    for (const [fullUrl, reference] of resolvedIdentities(step, response)) resolved.set(fullUrl, reference);
    written.push(...writtenAiResources(step, response));
    summary = addSummaries(summary, summarizeTransactionResponse(step, response));
  }
  return summary;
}
