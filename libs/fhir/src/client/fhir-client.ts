import type { Bundle, Resource } from '@medplum/fhirtypes';
import { Client, type FhirResource, type RequestOptions } from 'fhir-kit-client';
import {
  fhirAuthFor,
  NO_FHIR_AUTH,
  withFhirAuth,
  type FhirAuth,
  type FhirConnectionAuth,
} from '../auth/fhir-auth.ts';
import { SmartAuthError } from '../auth/smart-backend-token.ts';
import { unexpectedAnswer } from './classify.ts';
import { failureOfKitCall } from './kit-failure.ts';

/** One FHIR call as an observer (span, metric) sees it. */
export interface FhirCall {
  baseUrl: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the base: `Type/id`, `Type?params`, or '' for a transaction or batch. Holds identifiers: no logs. */
  path: string;
  interaction: 'read' | 'search' | 'transaction' | 'batch';
}

/**
 * Wraps every call (apps/platform passes traceFhirCall: a span and the request metric). `work` settles with the
 * parsed answer or throws the classified FhirError, whose `status` is the answer's HTTP status.
 */
export type FhirCallHook = <T>(call: FhirCall, work: () => Promise<T>) => Promise<T>;

/**
 * There is no `fetch` option: fhir-kit-client 2.0.3 always calls the global fetch and takes no other, so a test
 * stubs the global (as fhir-auth's token requests already allow).
 */
export interface FhirClientOptions {
  baseUrl: string;
  /** Deadline of one call, from sending to the last byte of the answer (the renewed try after a 401 included). */
  timeoutMs: number;
  auth?: FhirAuth;
  around?: FhirCallHook;
  now?: () => number;
}

/** What one call sends through fhir-kit-client: the auth header and the deadline's signal. */
type KitCall = (kit: Client, options: RequestOptions) => Promise<unknown>;

const unobserved: FhirCallHook = (_call, work) => work();

/**
 * radflow's FHIR REST client, over fhir-kit-client: JSON in and out, the auth header on every call (renewed once on
 * 401), a deadline per call, and one failure type, FhirError, classified transient or permanent. Any other throw is
 * a SmartAuthError (no token could be had: transient), raised before the FHIR server was asked.
 */
export class FhirClient {
  readonly baseUrl: string;
  private readonly kit: Client;
  private readonly auth: FhirAuth;
  private readonly around: FhirCallHook;
  private readonly now: () => number;

  constructor(private readonly options: FhirClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.kit = new Client({ baseUrl: this.baseUrl });
    this.auth = options.auth ?? NO_FHIR_AUTH;
    this.around = options.around ?? unobserved;
    this.now = options.now ?? Date.now;
  }

  /** The resource `type/id`; FHIR_NOT_FOUND (permanent) when the server has none. */
  async read<T extends Resource = Resource>(type: T['resourceType'], id: string): Promise<T> {
    const path = `${type}/${encodeURIComponent(id)}`;
    const resource = await this.call<Resource>({ method: 'GET', path, interaction: 'read' }, (kit, options) =>
      kit.read({ resourceType: type, id: encodeURIComponent(id), options }),
    );
    if (resource?.resourceType !== type)
      throw unexpectedAnswer('read', `a ${typeName(resource)}, not a ${type}`);
    return resource as T;
  }

  /** The first page of a search (`Type?params`, relative to the base) as the searchset Bundle. */
  async search(path: string): Promise<Bundle> {
    // The raw request keeps the caller's query exactly as written (kit.search would re-encode it from an object).
    const bundle = await this.call<Bundle>({ method: 'GET', path, interaction: 'search' }, (kit, options) =>
      kit.request(path, { options }),
    );
    if (bundle?.resourceType !== 'Bundle')
      throw unexpectedAnswer('search', `a ${typeName(bundle)}, not a Bundle`);
    return bundle;
  }

  /** Every resource of a search's first page, includes too. */
  async searchResources(path: string): Promise<Resource[]> {
    const bundle = await this.search(path);
    return (bundle.entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : []));
  }

  /** Posts a transaction Bundle; resolves with the transaction-response once the server has committed it. */
  transaction(bundle: Bundle): Promise<Bundle> {
    return this.exchange(bundle, 'transaction');
  }

  /** Posts a batch Bundle; resolves with the batch-response, one entry per request entry. */
  batch(bundle: Bundle): Promise<Bundle> {
    return this.exchange(bundle, 'batch');
  }

  private async exchange(bundle: Bundle, interaction: 'transaction' | 'batch'): Promise<Bundle> {
    const response = await this.call<Bundle>({ method: 'POST', path: '', interaction }, (kit, options) =>
      // fhir-kit-client types a body as an open record; medplum's Bundle is a closed interface of the same JSON.
      kit[interaction]({ body: bundle as unknown as FhirResource, options }),
    );
    if (response?.resourceType !== 'Bundle' || (response.entry?.length ?? 0) !== (bundle.entry?.length ?? 0))
      throw unexpectedAnswer(interaction, `without a matching ${interaction}-response`);
    return response;
  }

  private call<T>(request: Omit<FhirCall, 'baseUrl'>, send: KitCall): Promise<T> {
    const { interaction } = request;
    return this.around({ baseUrl: this.baseUrl, ...request }, async () => {
      const signal = AbortSignal.timeout(this.options.timeoutMs);
      try {
        // fhir-kit-client throws a 401 as `{ response: { status } }`, which withFhirAuth renews the token on.
        return (await withFhirAuth(this.auth, (headers) => send(this.kit, { headers, signal }))) as T;
      } catch (error) {
        if (error instanceof SmartAuthError) throw error;
        throw failureOfKitCall(error, interaction, this.options.timeoutMs, this.now());
      }
    });
  }
}

function typeName(value: unknown): string {
  const type = (value as { resourceType?: unknown } | null)?.resourceType;
  return typeof type === 'string' && /^[A-Z][A-Za-z]{0,63}$/.test(type)
    ? type
    : 'body without a resourceType';
}

/** The client of radflow's FHIR settings (FHIR_BASE_URL, FHIR_TIMEOUT_MS, FHIR_AUTH…), its auth shared per process. */
export function fhirClientFor(
  settings: FhirConnectionAuth,
  options: Pick<FhirClientOptions, 'around'> = {},
): FhirClient {
  return new FhirClient({
    baseUrl: settings.baseUrl,
    timeoutMs: settings.timeoutMs,
    auth: fhirAuthFor(settings),
    ...options,
  });
}
