import { exportPKCS8, generateKeyPair } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  NO_FHIR_AUTH,
  fhirAuthFor,
  fhirFetch,
  smartBackendAuth,
  staticBearerAuth,
  withFhirAuth,
  type FhirAuthOptions,
} from './fhir-auth.ts';
import { SmartAuthError, SmartBackendTokenProvider } from './smart-backend-token.ts';

// The one header source of every FHIR client: which scheme the settings give, and the one retry after a 401.

let privateKeyPem = '';
beforeAll(async () => {
  privateKeyPem = await exportPKCS8((await generateKeyPair('RS384', { extractable: true })).privateKey);
});
afterEach(() => vi.unstubAllGlobals());

const TOKEN_URL = 'https://ehr.example/token';

/** A SMART FhirAuth whose token endpoint hands out token-1, token-2, … */
function smart() {
  let issued = 0;
  const provider = new SmartBackendTokenProvider(
    {
      clientId: 'radflow',
      privateKeyPem,
      alg: 'RS384',
      tokenUrl: TOKEN_URL,
      fhirBaseUrl: 'https://ehr.example/fhir',
      scope: 'system/*.rs',
      refreshMarginSeconds: 60,
      timeoutMs: 1_000,
    },
    {
      now: () => 0,
      randomId: () => String(issued),
      fetch: () => {
        issued += 1;
        return Promise.resolve(
          Response.json({ access_token: `token-${issued}`, token_type: 'Bearer', expires_in: 300 }),
        );
      },
    },
  );
  return { auth: smartBackendAuth(provider), provider };
}

/** A FHIR server that accepts only `accepted` tokens and records every Authorization header it sees. */
function fhirServer(accepted: (authorization: string | null) => boolean) {
  const seen: (string | null)[] = [];
  const fetchImpl = (_url: string, init: RequestInit) => {
    const authorization = new Headers(init.headers).get('authorization');
    seen.push(authorization);
    return Promise.resolve(
      accepted(authorization)
        ? Response.json({ resourceType: 'Bundle', type: 'searchset' })
        : Response.json({ resourceType: 'OperationOutcome' }, { status: 401 }),
    );
  };
  return { seen, fetchImpl };
}

describe('fhirAuthFor', () => {
  const base = { baseUrl: 'https://ehr.example/fhir', timeoutMs: 1_000 };

  it('sends nothing by default', async () => {
    const auth = fhirAuthFor(base);
    expect(auth.scheme).toBe('none');
    expect(await auth.headers()).toEqual({});
  });

  it('sends the static bearer token of FHIR_AUTH=bearer or the older bearerToken setting', async () => {
    expect(await fhirAuthFor({ ...base, bearerToken: 'legacy' }).headers()).toEqual({
      authorization: 'Bearer legacy',
    });
    const auth = fhirAuthFor({ ...base, auth: { kind: 'bearer', token: 'static' }, bearerToken: 'legacy' });
    expect(auth.scheme).toBe('bearer');
    expect(await auth.headers()).toEqual({ authorization: 'Bearer static' });
    expect(fhirAuthFor({ ...base, auth: { kind: 'none' }, bearerToken: 'legacy' })).toBe(NO_FHIR_AUTH);
  });

  it('shares one SMART token between the clients of one configuration', async () => {
    let requests = 0;
    vi.stubGlobal('fetch', () => {
      requests += 1;
      return Promise.resolve(
        Response.json({ access_token: `shared-${requests}`, token_type: 'Bearer', expires_in: 300 }),
      );
    });
    const auth: FhirAuthOptions = {
      kind: 'smart-backend',
      clientId: `shared-${Math.random()}`,
      privateKeyPem,
      alg: 'RS384',
      tokenUrl: TOKEN_URL,
      scope: 'system/*.rs',
      refreshMarginSeconds: 60,
    };
    const writer = fhirAuthFor({ ...base, auth });
    const fetcher = fhirAuthFor({ ...base, auth });
    expect(writer.scheme).toBe('smart-backend');
    expect(await writer.headers()).toEqual({ authorization: 'Bearer shared-1' });
    expect(await fetcher.headers()).toEqual({ authorization: 'Bearer shared-1' });
    expect(requests).toBe(1);
  });
});

describe('withFhirAuth and fhirFetch', () => {
  it('renews a refused SMART token and retries the call once', async () => {
    const { auth, provider } = smart();
    const server = fhirServer((authorization) => authorization === 'Bearer token-2');
    const response = await fhirFetch(auth, server.fetchImpl)('https://ehr.example/fhir/Patient?_count=1', {
      headers: { accept: 'application/fhir+json' },
    });
    expect(response.status).toBe(200);
    expect(server.seen).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(provider.requests).toBe(2);
  });

  it('retries only once: a second 401 is the answer', async () => {
    const { auth, provider } = smart();
    const server = fhirServer(() => false);
    const response = await fhirFetch(auth, server.fetchImpl)('https://ehr.example/fhir/Patient');
    expect(response.status).toBe(401);
    expect(server.seen).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(provider.requests).toBe(2);
  });

  it('retries a fhir-kit-client call whose error carries HTTP 401', async () => {
    const { auth } = smart();
    const used: string[] = [];
    const result = await withFhirAuth(auth, (headers) => {
      used.push(headers.authorization!);
      if (used.length === 1)
        return Promise.reject(Object.assign(new Error('HTTP 401'), { response: { status: 401 } }));
      return Promise.resolve({ resourceType: 'Bundle' });
    });
    expect(result).toEqual({ resourceType: 'Bundle' });
    expect(used).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('does not retry other failures, nor a static token that cannot change', async () => {
    const { auth } = smart();
    let calls = 0;
    await expect(
      withFhirAuth(auth, () => {
        calls += 1;
        return Promise.reject(Object.assign(new Error('HTTP 403'), { response: { status: 403 } }));
      }),
    ).rejects.toThrow('HTTP 403');
    expect(calls).toBe(1);
    const server = fhirServer(() => false);
    const response = await fhirFetch(staticBearerAuth('fixed'), server.fetchImpl)('https://ehr.example/x');
    expect(response.status).toBe(401);
    expect(server.seen).toEqual(['Bearer fixed']);
  });

  it('sends no Authorization header without credentials', async () => {
    const server = fhirServer((authorization) => authorization === null);
    expect((await fhirFetch(NO_FHIR_AUTH, server.fetchImpl)('https://ehr.example/x')).status).toBe(200);
    expect(server.seen).toEqual([null]);
  });

  it('fails the call with the SmartAuthError when no token can be had, without calling the FHIR server', async () => {
    const provider = new SmartBackendTokenProvider(
      {
        clientId: 'radflow',
        privateKeyPem,
        alg: 'RS384',
        tokenUrl: TOKEN_URL,
        fhirBaseUrl: 'https://ehr.example/fhir',
        scope: 'system/*.rs',
        refreshMarginSeconds: 60,
        timeoutMs: 1_000,
      },
      {
        now: () => 0,
        randomId: () => 'x',
        fetch: () => Promise.resolve(Response.json({ error: 'invalid_client' }, { status: 400 })),
      },
    );
    const server = fhirServer(() => true);
    const failure = fhirFetch(smartBackendAuth(provider), server.fetchImpl)('https://ehr.example/x');
    await expect(failure).rejects.toBeInstanceOf(SmartAuthError);
    await expect(failure).rejects.toThrow('HTTP 400 invalid_client');
    expect(server.seen).toEqual([]);
  });
});
