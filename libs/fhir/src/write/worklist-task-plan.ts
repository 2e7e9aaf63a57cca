import type { ReportTriagedPayload } from '@radflow/schemas';
import type { FhirClient } from '../client/fhir-client.ts';
import type { IdentifierSystemSettings } from './identifier-systems.ts';
import type { ReferenceFinder } from './reference-resolver.ts';
import { summarizeTransactionResponse, type TransactionSummary } from './transaction-response.ts';
import { planWorklistTaskSupersession, worklistTaskBundle, worklistTaskSearch } from './worklist-task.ts';

/**
 * The FHIR side of one triaged report's worklist Task: where the patient and source report are and which Tasks of
 * earlier versions exist (asked at once), then one transaction with the new Task (a conditional create on its key)
 * and the retired ones. Throws the client's FhirError.
 */
export async function writeWorklistTask(
  fhir: Pick<FhirClient, 'searchResources' | 'transaction'>,
  references: ReferenceFinder,
  triaged: ReportTriagedPayload,
  options: { identifierSystems?: IdentifierSystemSettings } = {},
): Promise<TransactionSummary> {
  const [targets, found] = await Promise.all([
    references.targets(triaged.report),
    fhir.searchResources(worklistTaskSearch(triaged.report)),
  ]);
  const bundle = worklistTaskBundle(triaged, {
    targets,
    ...options,
    ...planWorklistTaskSupersession(triaged, found),
  });
  return summarizeTransactionResponse(bundle, await fhir.transaction(bundle));
}
