import type { Bundle, Resource } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import type { RadflowConfig } from '@radflow/config';
import {
  MEDPLUM_TRANSACTION_LIMITS,
  fhirAuthFor,
  withFhirAuth,
  type FhirAuth,
  type TransactionLimits,
} from '@radflow/fhir';
import { TransientError } from '@radflow/events';
import { traceFhirCall } from '@radflow/platform';
import { classifyFhirFailure } from './fhir-failure.ts';

/** The only place the writeback talks HTTP to the FHIR server: every call has a deadline and a classified failure. */
/** What the writer needs to reach the server. */
export type FhirConnection = Pick<RadflowConfig['fhir'], 'baseUrl' | 'bearerToken' | 'timeoutMs'> &
  Partial<Pick<RadflowConfig['fhir'], 'auth'>>;

export class FhirWriter {
  private readonly client: Client;
  private readonly auth: FhirAuth;

  constructor(
    private readonly settings: FhirConnection,
    /** What one transaction may hold on this server; Medplum's caps by default. */
    readonly limits: TransactionLimits = MEDPLUM_TRANSACTION_LIMITS,
  ) {
    this.client = new Client({ baseUrl: settings.baseUrl });
    this.auth = fhirAuthFor(settings);
  }

  private async call<T>(
    operation: string,
    run: (signal: AbortSignal, headers: Record<string, string>) => Promise<unknown>,
    /** A search's path (`Type?params`): names the span's resource type; transactions and batches post a Bundle. */
    path = '',
  ): Promise<T> {
    try {
      const signal = AbortSignal.timeout(this.settings.timeoutMs);
      const method = operation === 'search' ? 'GET' : 'POST';
      return (await traceFhirCall(
        { baseUrl: this.settings.baseUrl, method, path, interaction: operation },
        () => withFhirAuth(this.auth, (headers) => run(signal, headers)),
      )) as T;
    } catch (error) {
      throw classifyFhirFailure(error, operation);
    }
  }

  /** Posts a transaction Bundle; resolves with the transaction-response once the server has committed it. */
  async transaction(bundle: Bundle): Promise<Bundle> {
    const response = await this.call<Bundle>('transaction', (signal, headers) =>
      this.client.transaction({ body: bundle as never, options: { signal, headers } }),
    );
    if (
      response?.resourceType !== 'Bundle' ||
      (response.entry?.length ?? 0) !== (bundle.entry?.length ?? 0)
    ) {
      throw new TransientError(
        'FHIR transaction answered without a matching transaction-response',
        'FHIR_BAD_RESPONSE',
      );
    }
    return response;
  }

  /** Posts a batch Bundle (searches); resolves with the batch-response, one entry per request entry. */
  async batch(bundle: Bundle): Promise<Bundle> {
    const response = await this.call<Bundle>('batch', (signal, headers) =>
      this.client.batch({ body: bundle as never, options: { signal, headers } }),
    );
    if (
      response?.resourceType !== 'Bundle' ||
      (response.entry?.length ?? 0) !== (bundle.entry?.length ?? 0)
    ) {
      throw new TransientError('FHIR batch answered without a matching batch-response', 'FHIR_BAD_RESPONSE');
    }
    return response;
  }

  /** A search relative to the base URL (`Type?params`), every resource of the first page, includes too. */
  async search(path: string): Promise<Resource[]> {
    const bundle = await this.call<Bundle>(
      'search',
      (signal, headers) => this.client.request(path, { options: { signal, headers } }),
      path,
    );
    return (bundle.entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : []));
  }
}
