import { calculateJwkThumbprint, exportJWK, importPKCS8, SignJWT, type CryptoKey } from 'jose';

/**
 * SMART Backend Services (SMART App Launch 2, "Backend Services"): the client credentials grant with a JWT client
 * assertion signed by the client's private key (RS384 or ES384), the access token cached and renewed before it
 * expires. Pure logic over an injected fetch, clock and id source: no I/O of its own, so it is unit-tested as is.
 */
export type SmartSigningAlg = 'RS384' | 'ES384';

export interface SmartBackendTokenOptions {
  /** The client id the EHR registered: iss and sub of every client assertion. */
  clientId: string;
  /** The client's private key, PKCS#8 PEM (@radflow/config normalises PEM and JWK files to it). */
  privateKeyPem: string;
  alg: SmartSigningAlg;
  /** `kid` of the assertion header; unset: the key's RFC 7638 JWK thumbprint. */
  keyId?: string;
  /** The token endpoint; unset: `token_endpoint` of `<fhirBaseUrl>/.well-known/smart-configuration`. */
  tokenUrl?: string;
  /** The FHIR base URL, for discovery. */
  fhirBaseUrl: string;
  /** Space-separated scopes, e.g. `system/*.rs system/DiagnosticReport.cu`. */
  scope: string;
  /** Renew a token this long before it expires; at most half the token's life is used as the margin. */
  refreshMarginSeconds: number;
  /** Deadline of one discovery or token request. */
  timeoutMs: number;
}

export interface SmartBackendTokenDeps {
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** A unique `jti` per assertion. */
  randomId: () => string;
}

/**
 * The client assertion's lifetime. The specification allows at most five minutes; four leave room for a server
 * whose clock runs a little behind ours.
 */
export const ASSERTION_LIFETIME_SECONDS = 240;
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Used when a token response omits `expires_in` (the specification requires it; some servers forget). */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;

export type SmartAuthErrorCode =
  /** `.well-known/smart-configuration` unreachable, not JSON, or without a token_endpoint. */
  | 'SMART_DISCOVERY_FAILED'
  /** The token endpoint is unreachable or did not answer in time. */
  | 'SMART_TOKEN_UNREACHABLE'
  /** The token endpoint answered with an error (invalid_client, invalid_scope, …). */
  | 'SMART_TOKEN_REFUSED'
  /** The token endpoint answered 2xx without a usable bearer access token. */
  | 'SMART_TOKEN_INVALID_RESPONSE'
  /** The private key cannot sign with the configured algorithm. */
  | 'SMART_KEY_INVALID';

/**
 * Why no access token could be had. Carries the HTTP status and the OAuth error code and description (JWT-shaped
 * strings removed), never the assertion, the key or a token. `transient`: the message that needed the token is
 * retried, not dead-lettered (credentials are fixed by an operator, and the message is not at fault).
 */
export class SmartAuthError extends Error {
  override readonly name = 'SmartAuthError';
  readonly transient = true;

  constructor(
    readonly code: SmartAuthErrorCode,
    message: string,
    readonly httpStatus?: number,
    readonly oauthError?: string,
  ) {
    super(`${code}: ${message}`);
  }
}

interface CachedToken {
  accessToken: string;
  /** When the server stops accepting it. */
  expiresAt: number;
  /** When we stop handing it out and fetch the next one. */
  refreshAt: number;
}

interface SigningKey {
  key: CryptoKey;
  kid: string;
}

/** A JWT or JWS compact serialisation inside a server's text: never repeated in an error. */
const JWT_LIKE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;

function sanitise(text: unknown, max = 200): string | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  return text
    .replace(JWT_LIKE, '[jwt]')
    .replace(/\p{Cc}+/gu, ' ')
    .slice(0, max);
}

export class SmartBackendTokenProvider {
  private cached: CachedToken | undefined;
  private inflight: Promise<CachedToken> | undefined;
  private signingKey: Promise<SigningKey> | undefined;
  private tokenUrl: string | undefined;
  /** Token requests made (successful or not): for metrics and tests. */
  requests = 0;

  constructor(
    private readonly options: SmartBackendTokenOptions,
    private readonly deps: SmartBackendTokenDeps,
  ) {
    this.tokenUrl = options.tokenUrl;
  }

  /**
   * A valid access token: the cached one until its refresh time, then a new one. Concurrent callers share one
   * token request. If renewal fails while the cached token has not yet expired, the cached token is used (the
   * next call tries again); otherwise the SmartAuthError is thrown.
   */
  async accessToken(): Promise<string> {
    const cached = this.cached;
    if (cached && this.deps.now() < cached.refreshAt) return cached.accessToken;
    try {
      return (await this.refresh()).accessToken;
    } catch (error) {
      if (cached && this.cached === cached && this.deps.now() < cached.expiresAt) return cached.accessToken;
      throw error;
    }
  }

  /**
   * The FHIR server answered 401 to `accessToken`: forget it if it is still the cached one (a concurrent caller
   * may already have replaced it), so the next accessToken() fetches a new one.
   */
  invalidate(accessToken: string): void {
    if (this.cached?.accessToken === accessToken) this.cached = undefined;
  }

  private refresh(): Promise<CachedToken> {
    this.inflight ??= this.requestToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async requestToken(): Promise<CachedToken> {
    const tokenUrl = await this.resolveTokenUrl();
    const assertion = await this.clientAssertion(tokenUrl);
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: this.options.scope,
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: assertion,
    });
    const requestedAt = this.deps.now();
    this.requests += 1;
    let response: Response;
    try {
      response = await this.deps.fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new SmartAuthError(
        'SMART_TOKEN_UNREACHABLE',
        `token endpoint ${tokenUrl} ${isTimeout(error) ? 'did not answer in time' : 'is unreachable'}`,
      );
    }
    const payload = await readJson(response);
    if (!response.ok) {
      const oauthError = sanitise(payload?.error, 64);
      const description = sanitise(payload?.error_description);
      throw new SmartAuthError(
        'SMART_TOKEN_REFUSED',
        `token endpoint ${tokenUrl} answered HTTP ${response.status}` +
          (oauthError ? ` ${oauthError}` : '') +
          (description ? ` (${description})` : '') +
          ` for client ${this.options.clientId}`,
        response.status,
        oauthError,
      );
    }
    const accessToken = payload?.access_token;
    const tokenType = payload?.token_type;
    if (
      typeof accessToken !== 'string' ||
      accessToken === '' ||
      typeof tokenType !== 'string' ||
      tokenType.toLowerCase() !== 'bearer'
    ) {
      throw new SmartAuthError(
        'SMART_TOKEN_INVALID_RESPONSE',
        `token endpoint ${tokenUrl} answered without a bearer access_token`,
        response.status,
      );
    }
    const expiresIn =
      typeof payload?.expires_in === 'number' && payload.expires_in > 0
        ? payload.expires_in
        : DEFAULT_TOKEN_LIFETIME_SECONDS;
    // Lifetime counted from the request, not the answer: the server's clock started before ours stopped.
    const lifetimeMs = expiresIn * 1000;
    const marginMs = Math.min(this.options.refreshMarginSeconds * 1000, lifetimeMs / 2);
    const token = {
      accessToken,
      expiresAt: requestedAt + lifetimeMs,
      refreshAt: requestedAt + lifetimeMs - marginMs,
    };
    this.cached = token;
    return token;
  }

  private async resolveTokenUrl(): Promise<string> {
    if (this.tokenUrl) return this.tokenUrl;
    const url = `${this.options.fhirBaseUrl.replace(/\/+$/, '')}/.well-known/smart-configuration`;
    let response: Response;
    try {
      response = await this.deps.fetch(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new SmartAuthError(
        'SMART_DISCOVERY_FAILED',
        `${url} ${isTimeout(error) ? 'did not answer in time' : 'is unreachable'}; set FHIR_SMART_TOKEN_URL`,
      );
    }
    const configuration = await readJson(response);
    const endpoint = configuration?.token_endpoint;
    if (!response.ok || typeof endpoint !== 'string' || !/^https?:\/\/\S+$/.test(endpoint)) {
      throw new SmartAuthError(
        'SMART_DISCOVERY_FAILED',
        `${url} answered HTTP ${response.status} without a token_endpoint; set FHIR_SMART_TOKEN_URL`,
        response.status,
      );
    }
    this.tokenUrl = endpoint;
    return endpoint;
  }

  /** The signed client assertion: iss = sub = client id, aud = token URL, a fresh jti, exp four minutes out. */
  private async clientAssertion(tokenUrl: string): Promise<string> {
    const { key, kid } = await this.key();
    const now = Math.floor(this.deps.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: this.options.alg, kid, typ: 'JWT' })
      .setIssuer(this.options.clientId)
      .setSubject(this.options.clientId)
      .setAudience(tokenUrl)
      .setJti(this.deps.randomId())
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
      .sign(key);
  }

  private key(): Promise<SigningKey> {
    this.signingKey ??= importSigningKey(this.options).catch((error: unknown) => {
      this.signingKey = undefined;
      throw error;
    });
    return this.signingKey;
  }
}

async function importSigningKey(options: SmartBackendTokenOptions): Promise<SigningKey> {
  let key: CryptoKey;
  try {
    key = await importPKCS8(options.privateKeyPem, options.alg, { extractable: true });
  } catch {
    throw new SmartAuthError(
      'SMART_KEY_INVALID',
      `the private key is not a PKCS#8 ${options.alg === 'RS384' ? 'RSA' : 'EC P-384'} key for ${options.alg}`,
    );
  }
  const kid = options.keyId ?? (await calculateJwkThumbprint(await exportJWK(key)));
  // The private members go no further than the thumbprint (which reads only the public ones).
  return { key, kid };
}

async function readJson(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const value = (await response.json()) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}
