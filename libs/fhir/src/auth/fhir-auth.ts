import { createHash, randomUUID } from 'node:crypto';
import {
  SmartBackendTokenProvider,
  type SmartBackendTokenDeps,
  type SmartBackendTokenOptions,
} from './smart-backend-token.ts';

/**
 * The one source of the Authorization header of radflow's FHIR calls (gateway fetcher, enricher prior lookup,
 * writeback, worklist, CLI): none, a static bearer token, or SMART Backend Services.
 */
export interface FhirAuth {
  readonly scheme: 'none' | 'bearer' | 'smart-backend';
  /** Headers for one FHIR call: `{}` or `{ authorization }`. Throws SmartAuthError when no token can be had. */
  headers(): Promise<Record<string, string>>;
  /**
   * The server answered 401 to a call sent with `headers`: true when a second try with fresh headers may succeed
   * (the rejected token is dropped); false when nothing would change (no credentials, or a static token).
   */
  rejected(headers: Record<string, string>): boolean;
}

/**
 * FHIR auth settings as @radflow/config reads them (FHIR_AUTH and FHIR_SMART_*); the same shape as its
 * FhirAuthSettings, restated here so this library does not depend on the configuration package: the SMART fields
 * are the token provider's options less what the connection gives (base URL, deadline).
 */
export type FhirAuthOptions =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | ({ kind: 'smart-backend' } & Omit<SmartBackendTokenOptions, 'fhirBaseUrl' | 'timeoutMs'>);

/** What a FHIR-calling class is configured with (a subset of RadflowConfig['fhir']). */
export interface FhirConnectionAuth {
  baseUrl: string;
  timeoutMs: number;
  auth?: FhirAuthOptions;
  /** The older setting: a static token, used when `auth` is absent. */
  bearerToken?: string;
}

export const NO_FHIR_AUTH: FhirAuth = {
  scheme: 'none',
  headers: () => Promise.resolve({}),
  rejected: () => false,
};

export function staticBearerAuth(token: string): FhirAuth {
  const headers = { authorization: `Bearer ${token}` };
  return { scheme: 'bearer', headers: () => Promise.resolve({ ...headers }), rejected: () => false };
}

export function smartBackendAuth(provider: SmartBackendTokenProvider): FhirAuth {
  return {
    scheme: 'smart-backend',
    headers: async () => ({ authorization: `Bearer ${await provider.accessToken()}` }),
    rejected: (headers) => {
      const token = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
      if (!token) return false;
      provider.invalidate(token);
      return true;
    },
  };
}

/** One SMART token provider per distinct configuration in a process, so every client shares its cached token. */
const providers = new Map<string, SmartBackendTokenProvider>();

const defaultDeps: SmartBackendTokenDeps = {
  // Bound at call time, so a test's stubbed global fetch is the one used.
  fetch: (url, init) => fetch(url, init),
  now: () => Date.now(),
  randomId: () => randomUUID(),
};

/**
 * The FhirAuth a FHIR client of these settings uses: `auth` if set, else the static `bearerToken`, else none.
 * SMART providers are shared per configuration (one token cache and one token request at a time per process).
 */
export function fhirAuthFor(
  settings: FhirConnectionAuth,
  deps: SmartBackendTokenDeps = defaultDeps,
): FhirAuth {
  const auth =
    settings.auth ?? (settings.bearerToken ? { kind: 'bearer', token: settings.bearerToken } : undefined);
  if (!auth || auth.kind === 'none') return NO_FHIR_AUTH;
  if (auth.kind === 'bearer') return staticBearerAuth(auth.token);
  const options = {
    clientId: auth.clientId,
    privateKeyPem: auth.privateKeyPem,
    alg: auth.alg,
    ...(auth.keyId ? { keyId: auth.keyId } : {}),
    ...(auth.tokenUrl ? { tokenUrl: auth.tokenUrl } : {}),
    fhirBaseUrl: settings.baseUrl,
    scope: auth.scope,
    refreshMarginSeconds: auth.refreshMarginSeconds,
    timeoutMs: settings.timeoutMs,
  };
  const key = createHash('sha256').update(JSON.stringify(options)).digest('hex');
  let provider = deps === defaultDeps ? providers.get(key) : undefined;
  if (!provider) {
    provider = new SmartBackendTokenProvider(options, deps);
    if (deps === defaultDeps) providers.set(key, provider);
  }
  return smartBackendAuth(provider);
}

/** Whether a FHIR call was refused with 401: a fetch Response's status, or a fhir-kit-client error's `response.status`. */
function unauthorized(outcome: unknown): boolean {
  if (outcome instanceof Response) return outcome.status === 401;
  return (outcome as { response?: { status?: unknown } } | null)?.response?.status === 401;
}

/**
 * Runs one FHIR call with the auth headers; when the server answers 401 (a returned Response or a thrown
 * fhir-kit-client error) and the credential can be renewed, once more with fresh headers.
 */
export async function withFhirAuth<T>(
  auth: FhirAuth,
  call: (headers: Record<string, string>) => Promise<T>,
): Promise<T> {
  const headers = await auth.headers();
  let outcome: T;
  try {
    outcome = await call(headers);
  } catch (error) {
    if (unauthorized(error) && auth.rejected(headers)) return call(await auth.headers());
    throw error;
  }
  if (unauthorized(outcome) && auth.rejected(headers)) {
    await (outcome as Response).body?.cancel();
    return call(await auth.headers());
  }
  return outcome;
}

/**
 * A fetch for FHIR requests: adds the auth header, and retries once with a fresh token on 401 (the body of a
 * retried request must be re-sendable: a string, not a stream).
 */
export function fhirFetch(
  auth: FhirAuth,
  fetchImpl: (url: string, init: RequestInit) => Promise<Response> = (url, init) => fetch(url, init),
): (url: string, init?: RequestInit) => Promise<Response> {
  return (url, init = {}) =>
    withFhirAuth(auth, (authHeaders) => {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(authHeaders)) headers.set(name, value);
      return fetchImpl(url, { ...init, headers });
    });
}
