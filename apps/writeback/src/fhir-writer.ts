import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { RadflowConfig } from '@radflow/config';
import {
  MEDPLUM_TRANSACTION_LIMITS,
  fhirClientFor,
  type FhirClient,
  type TransactionLimits,
} from '@radflow/fhir';
import { traceFhirCall } from '@radflow/platform';

/** What the writer needs to reach the server. */
export type FhirConnection = Pick<RadflowConfig['fhir'], 'baseUrl' | 'bearerToken' | 'timeoutMs'> &
  Partial<Pick<RadflowConfig['fhir'], 'auth'>>;

/**
 * The writeback's FHIR client: libs/fhir's FhirClient on the configured server (deadline, auth, one classified
 * failure, FhirError, which the Kafka boundary retries when transient and dead-letters when permanent), every call
 * traced and counted by the platform, and the server's transaction limits.
 */
export class FhirWriter {
  readonly client: FhirClient;

  constructor(
    settings: FhirConnection,
    /** What one transaction may hold on this server; Medplum's caps by default. */
    readonly limits: TransactionLimits = MEDPLUM_TRANSACTION_LIMITS,
  ) {
    this.client = fhirClientFor(settings, { around: traceFhirCall });
  }

  /** Posts a transaction Bundle; resolves with the transaction-response once the server has committed it. */
  transaction(bundle: Bundle): Promise<Bundle> {
    return this.client.transaction(bundle);
  }

  /** Posts a batch Bundle (searches); resolves with the batch-response, one entry per request entry. */
  batch(bundle: Bundle): Promise<Bundle> {
    return this.client.batch(bundle);
  }

  /** A search relative to the base URL (`Type?params`), every resource of the first page, includes too. */
  search(path: string): Promise<Resource[]> {
    return this.client.searchResources(path);
  }
}
