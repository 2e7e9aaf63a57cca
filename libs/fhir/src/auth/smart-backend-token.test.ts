import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWTPayload,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ASSERTION_LIFETIME_SECONDS,
  CLIENT_ASSERTION_TYPE,
  SmartAuthError,
  SmartBackendTokenProvider,
  type SmartBackendTokenOptions,
  type SmartSigningAlg,
} from './smart-backend-token.ts';

// The token provider over a scripted token endpoint (an injected fetch) and a hand-moved clock: caching, renewal
// before expiry, one request for many concurrent callers, the client assertion checked against the public key.

const TOKEN_URL = 'https://ehr.example/oauth2/token';
const FHIR_BASE = 'https://ehr.example/fhir/R4';
const CLIENT_ID = 'radflow-test-client';

interface Keys {
  privateKeyPem: string;
  publicKey: CryptoKey;
  thumbprint: string;
}
const keys: Partial<Record<SmartSigningAlg, Keys>> = {};

beforeAll(async () => {
  for (const alg of ['RS384', 'ES384'] as const) {
    const pair = await generateKeyPair(alg, { extractable: true });
    keys[alg] = {
      privateKeyPem: await exportPKCS8(pair.privateKey),
      publicKey: pair.publicKey,
      thumbprint: await calculateJwkThumbprint(await exportJWK(pair.publicKey)),
    };
  }
});

interface TokenRequest {
  url: string;
  form: URLSearchParams;
  claims: JWTPayload;
  header: ReturnType<typeof decodeProtectedHeader>;
}

/** A scripted authorization server: verifies each assertion with the public key, answers as `answer` says. */
function harness(
  overrides: Partial<SmartBackendTokenOptions> = {},
  answer: (n: number) => Response | Promise<Response> = (n) =>
    json(200, { access_token: `token-${n}`, token_type: 'Bearer', expires_in: 300, scope: 'system/*.rs' }),
) {
  const clock = { now: Date.parse('2025-03-01T10:00:00Z') };
  const requests: TokenRequest[] = [];
  const discovery: string[] = [];
  const sent: string[] = [];
  const alg = overrides.alg ?? 'RS384';
  let ids = 0;
  const provider = new SmartBackendTokenProvider(
    {
      clientId: CLIENT_ID,
      privateKeyPem: keys[alg]!.privateKeyPem,
      alg,
      tokenUrl: TOKEN_URL,
      fhirBaseUrl: FHIR_BASE,
      scope: 'system/*.rs system/DiagnosticReport.cu',
      refreshMarginSeconds: 60,
      timeoutMs: 1_000,
      ...overrides,
    },
    {
      now: () => clock.now,
      randomId: () => `jti-${++ids}`,
      fetch: async (url, init) => {
        if (url.endsWith('/.well-known/smart-configuration')) {
          discovery.push(url);
          return json(200, { token_endpoint: TOKEN_URL, capabilities: ['client-confidential-asymmetric'] });
        }
        const form = new URLSearchParams(String(init.body));
        const assertion = form.get('client_assertion') ?? '';
        sent.push(assertion);
        const { payload } = await jwtVerify(assertion, keys[alg]!.publicKey, {
          algorithms: [alg],
          issuer: CLIENT_ID,
          subject: CLIENT_ID,
          audience: TOKEN_URL,
          currentDate: new Date(clock.now),
        });
        requests.push({ url, form, claims: payload, header: decodeProtectedHeader(assertion) });
        return answer(requests.length);
      },
    },
  );
  return { provider, clock, requests, discovery, sent };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

async function failure(run: Promise<unknown>): Promise<SmartAuthError> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(SmartAuthError);
    return error as SmartAuthError;
  }
  throw new Error('expected a SmartAuthError');
}

describe('SmartBackendTokenProvider', () => {
  it('sends a client_credentials request with a verifiable RS384 assertion', async () => {
    const { provider, requests } = harness({ keyId: 'radflow-key-1' });
    expect(await provider.accessToken()).toBe('token-1');
    const [request] = requests;
    expect(request!.url).toBe(TOKEN_URL);
    expect(request!.form.get('grant_type')).toBe('client_credentials');
    expect(request!.form.get('scope')).toBe('system/*.rs system/DiagnosticReport.cu');
    expect(request!.form.get('client_assertion_type')).toBe(CLIENT_ASSERTION_TYPE);
    expect(request!.header).toEqual({ alg: 'RS384', kid: 'radflow-key-1', typ: 'JWT' });
    const { claims } = request!;
    expect(claims).toMatchObject({ iss: CLIENT_ID, sub: CLIENT_ID, aud: TOKEN_URL, jti: 'jti-1' });
    expect(claims.exp! - claims.iat!).toBe(ASSERTION_LIFETIME_SECONDS);
    expect(ASSERTION_LIFETIME_SECONDS).toBeLessThanOrEqual(300);
  });

  it('signs ES384 and names the key by its RFC 7638 thumbprint when no key id is set', async () => {
    const { provider, requests } = harness({ alg: 'ES384' });
    expect(await provider.accessToken()).toBe('token-1');
    expect(requests[0]!.header).toEqual({ alg: 'ES384', kid: keys.ES384!.thumbprint, typ: 'JWT' });
  });

  it('caches the token until the refresh margin, then fetches a new one with a new jti', async () => {
    const { provider, clock, requests } = harness();
    expect(await provider.accessToken()).toBe('token-1');
    clock.now += 239_000; // expires at 300 s, margin 60 s: still 1 s to go
    expect(await provider.accessToken()).toBe('token-1');
    expect(requests).toHaveLength(1);
    clock.now += 2_000; // 241 s: inside the margin, before expiry
    expect(await provider.accessToken()).toBe('token-2');
    expect(requests).toHaveLength(2);
    expect(requests.map((r) => r.claims.jti)).toEqual(['jti-1', 'jti-2']);
  });

  it('uses at most half of a short-lived token as the margin', async () => {
    const { provider, clock, requests } = harness({}, (n) =>
      json(200, { access_token: `short-${n}`, token_type: 'bearer', expires_in: 3 }),
    );
    expect(await provider.accessToken()).toBe('short-1');
    clock.now += 1_400;
    expect(await provider.accessToken()).toBe('short-1');
    clock.now += 200; // 1.6 s: past half of 3 s
    expect(await provider.accessToken()).toBe('short-2');
    expect(requests).toHaveLength(2);
  });

  it('makes one token request for many concurrent callers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { provider, requests } = harness({}, async (n) => {
      await gate;
      return json(200, { access_token: `shared-${n}`, token_type: 'Bearer', expires_in: 300 });
    });
    const callers = Array.from({ length: 20 }, () => provider.accessToken());
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    expect(new Set(await Promise.all(callers))).toEqual(new Set(['shared-1']));
    expect(requests).toHaveLength(1);
    expect(provider.requests).toBe(1);
  });

  it('drops a token the FHIR server refused, but not one a concurrent caller already replaced', async () => {
    const { provider, requests } = harness();
    const first = await provider.accessToken();
    provider.invalidate(first);
    const second = await provider.accessToken();
    expect(second).toBe('token-2');
    provider.invalidate(first); // a late 401 for the old token
    expect(await provider.accessToken()).toBe('token-2');
    expect(requests).toHaveLength(2);
  });

  it('discovers the token endpoint from .well-known/smart-configuration once', async () => {
    const { provider, requests, discovery, clock } = harness({ tokenUrl: undefined });
    await provider.accessToken();
    clock.now += 300_000;
    await provider.accessToken();
    expect(discovery).toEqual([`${FHIR_BASE}/.well-known/smart-configuration`]);
    expect(requests.map((r) => r.claims.aud)).toEqual([TOKEN_URL, TOKEN_URL]);
  });

  it('says clearly when discovery finds no token endpoint', async () => {
    const provider = new SmartBackendTokenProvider(
      {
        clientId: CLIENT_ID,
        privateKeyPem: keys.RS384!.privateKeyPem,
        alg: 'RS384',
        fhirBaseUrl: FHIR_BASE,
        scope: 'system/*.rs',
        refreshMarginSeconds: 60,
        timeoutMs: 1_000,
      },
      { now: () => 0, randomId: () => 'x', fetch: () => Promise.resolve(json(404, { error: 'not found' })) },
    );
    const error = await failure(provider.accessToken());
    expect(error.code).toBe('SMART_DISCOVERY_FAILED');
    expect(error.message).toContain('HTTP 404');
    expect(error.message).toContain('FHIR_SMART_TOKEN_URL');
  });

  it('throws a typed error without secrets when the token endpoint refuses the client', async () => {
    const { provider, sent } = harness({}, () =>
      json(401, {
        error: 'invalid_client',
        error_description:
          'signature check failed for eyJhbGciOiJSUzM4NCJ9.eyJpc3MiOiJyYWRmbG93In0.c2lnbmF0dXJl',
      }),
    );
    const error = await failure(provider.accessToken());
    expect(error.code).toBe('SMART_TOKEN_REFUSED');
    expect(error.httpStatus).toBe(401);
    expect(error.oauthError).toBe('invalid_client');
    expect(error.transient).toBe(true);
    expect(error.message).toBe(
      `SMART_TOKEN_REFUSED: token endpoint ${TOKEN_URL} answered HTTP 401 invalid_client ` +
        `(signature check failed for [jwt]) for client ${CLIENT_ID}`,
    );
    expect(sent[0]!.length).toBeGreaterThan(100);
    const everything = `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`;
    expect(everything).not.toContain(sent[0]);
    expect(everything).not.toContain('eyJpc3MiOiJyYWRmbG93In0');
    expect(everything).not.toContain('PRIVATE KEY');
  });

  it('keeps using a still valid token while renewal fails, and fails once it has expired', async () => {
    let down = false;
    const { provider, clock } = harness({}, (n) =>
      down
        ? json(503, { error: 'temporarily_unavailable' })
        : json(200, { access_token: `token-${n}`, token_type: 'Bearer', expires_in: 300 }),
    );
    expect(await provider.accessToken()).toBe('token-1');
    down = true;
    clock.now += 250_000; // inside the margin: renewal fails, the token still works
    expect(await provider.accessToken()).toBe('token-1');
    clock.now += 60_000; // expired
    const error = await failure(provider.accessToken());
    expect(error.code).toBe('SMART_TOKEN_REFUSED');
    expect(error.httpStatus).toBe(503);
    down = false;
    expect(await provider.accessToken()).toBe('token-4');
  });

  it('rejects a 2xx answer without a bearer access token', async () => {
    const { provider } = harness({}, () => json(200, { access_token: 'x', token_type: 'mac' }));
    expect((await failure(provider.accessToken())).code).toBe('SMART_TOKEN_INVALID_RESPONSE');
  });

  it('reports an unreachable token endpoint', async () => {
    const provider = new SmartBackendTokenProvider(
      {
        clientId: CLIENT_ID,
        privateKeyPem: keys.RS384!.privateKeyPem,
        alg: 'RS384',
        tokenUrl: TOKEN_URL,
        fhirBaseUrl: FHIR_BASE,
        scope: 'system/*.rs',
        refreshMarginSeconds: 60,
        timeoutMs: 1_000,
      },
      { now: () => 0, randomId: () => 'x', fetch: () => Promise.reject(new TypeError('fetch failed')) },
    );
    const error = await failure(provider.accessToken());
    expect(error.code).toBe('SMART_TOKEN_UNREACHABLE');
    expect(error.message).toBe(`SMART_TOKEN_UNREACHABLE: token endpoint ${TOKEN_URL} is unreachable`);
  });

  it('refuses a key that does not fit the algorithm before calling anyone', async () => {
    const { provider, requests } = harness({ alg: 'ES384', privateKeyPem: keys.RS384!.privateKeyPem });
    const error = await failure(provider.accessToken());
    expect(error.code).toBe('SMART_KEY_INVALID');
    expect(error.message).not.toContain('PRIVATE KEY');
    expect(requests).toHaveLength(0);
  });
});
