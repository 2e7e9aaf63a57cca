import type { Bundle, Resource } from '@medplum/fhirtypes';
import {
  fhirAuthFor,
  fhirFetch,
  NO_FHIR_AUTH,
  type FhirAuth,
  type FhirConnectionAuth,
} from '../auth/fhir-auth.ts';
import { SmartAuthError } from '../auth/smart-backend-token.ts';
import { failureOfAnswer, failureOfNoAnswer, unexpectedAnswer } from './classify.ts';

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

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface FhirClientOptions {
  baseUrl: string;
  /** Deadline of one call, from sending to the last byte of the answer. */
  timeoutMs: number;
  auth?: FhirAuth;
  fetch?: FetchLike;
  around?: FhirCallHook;
  now?: () => number;
}

const unobserved: FhirCallHook = (_call, work) => work();

/**
 * A FHIR REST client over fetch: JSON in and out, the auth header on every call (renewed once on 401), a deadline
 * per call, and one failure type, FhirError, classified transient or permanent. Any other throw is a SmartAuthError
 * (no token could be had: transient), raised before the FHIR server was asked.
 */
export class FhirClient {
  readonly baseUrl: string;
  private readonly fetch: (url: string, init?: RequestInit) => Promise<Response>;
  private readonly around: FhirCallHook;
  private readonly now: () => number;

  constructor(private readonly options: FhirClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = fhirFetch(options.auth ?? NO_FHIR_AUTH, options.fetch);
    this.around = options.around ?? unobserved;
    this.now = options.now ?? Date.now;
  }

  /** The resource `type/id`; FHIR_NOT_FOUND (permanent) when the server has none. */
  async read<T extends Resource = Resource>(type: T['resourceType'], id: string): Promise<T> {
    const path = `${type}/${encodeURIComponent(id)}`;
    const resource = await this.call<Resource>({ method: 'GET', path, interaction: 'read' });
    if (resource?.resourceType !== type)
      throw unexpectedAnswer('read', `a ${typeName(resource)}, not a ${type}`);
    return resource as T;
  }

  /** The first page of a search (`Type?params`, relative to the base) as the searchset Bundle. */
  async search(path: string): Promise<Bundle> {
    const bundle = await this.call<Bundle>({ method: 'GET', path, interaction: 'search' });
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
    const response = await this.call<Bundle>({ method: 'POST', path: '', interaction }, bundle);
    if (response?.resourceType !== 'Bundle' || (response.entry?.length ?? 0) !== (bundle.entry?.length ?? 0))
      throw unexpectedAnswer(interaction, `without a matching ${interaction}-response`);
    return response;
  }

  private call<T>(request: Omit<FhirCall, 'baseUrl'>, body?: unknown): Promise<T> {
    const { interaction } = request;
    return this.around({ baseUrl: this.baseUrl, ...request }, async () => {
      const signal = AbortSignal.timeout(this.options.timeoutMs);
      let status: number;
      let text: string;
      let retryAfter: string | null;
      try {
        const response = await this.fetch(`${this.baseUrl}/${request.path}`, {
          method: request.method,
          headers: {
            accept: 'application/fhir+json',
            ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal,
        });
        ({ status } = response);
        retryAfter = response.headers.get('retry-after');
        text = await response.text();
      } catch (error) {
        if (error instanceof SmartAuthError) throw error;
        throw failureOfNoAnswer(error, interaction, this.options.timeoutMs);
      }
      const parsed = parseJson(text);
      if (status < 200 || status >= 300)
        throw failureOfAnswer({ interaction, status, body: parsed, retryAfter, now: this.now() });
      if (parsed === undefined)
        throw unexpectedAnswer(interaction, `HTTP ${status} with a body that is not JSON`);
      return parsed as T;
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
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
  options: Pick<FhirClientOptions, 'around' | 'fetch'> = {},
): FhirClient {
  return new FhirClient({
    baseUrl: settings.baseUrl,
    timeoutMs: settings.timeoutMs,
    auth: fhirAuthFor(settings),
    ...options,
  });
}
