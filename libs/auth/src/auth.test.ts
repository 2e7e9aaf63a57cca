import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeySet,
  AuthError,
  Authenticator,
  bearerToken,
  effectiveAuthMode,
  hashedApiKeyEntry,
  verifyJwt,
  wwwAuthenticate,
  type JwtAlgorithm,
  type JwtRules,
} from './index.ts';

const rules: JwtRules = { issuer: 'https://idp.example.test', audience: ['radflow-api'] };
type Signer = { kid: string; alg: JwtAlgorithm; privateKey: CryptoKey };
const signers: Record<string, Signer> = {};
let jwks: JSONWebKeySet;
let stranger: Signer;

async function signer(kid: string, alg: JwtAlgorithm): Promise<{ signer: Signer; publicJwk: object }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    signer: { kid, alg, privateKey },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
  };
}

beforeAll(async () => {
  const made = await Promise.all(
    (['RS256', 'ES256', 'RS384', 'ES384'] as const).map((alg) => signer(`key-${alg}`, alg)),
  );
  for (const { signer: s } of made) signers[s.alg] = s;
  jwks = { keys: made.map((m) => m.publicJwk) as JSONWebKeySet['keys'] };
  // Same kid as a published key, another key pair: a forged signature.
  stranger = (await signer('key-ES256', 'ES256')).signer;
});

function token(
  by: Signer,
  claims: JWTPayload = {},
  { issuer = rules.issuer, audience = 'radflow-api', expiresIn = '5m' as string | number, kid = by.kid } = {},
) {
  return new SignJWT({ sub: 'svc-mirth', ...claims })
    .setProtectedHeader({ alg: by.alg, kid })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(by.privateKey);
}

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe('verifyJwt', () => {
  it.each(['RS256', 'ES256', 'RS384', 'ES384'] as const)('accepts a valid %s token', async (alg) => {
    const principal = await verifyJwt(
      await token(signers[alg]!, { scope: 'radflow.gateway radflow.inference' }),
      jwks,
      rules,
    );
    expect(principal).toEqual({
      kind: 'jwt',
      subject: 'svc-mirth',
      scopes: ['radflow.gateway', 'radflow.inference'],
    });
  });

  it('refuses a token signed by another key under a published kid', async () => {
    const error = await refusal(verifyJwt(await token(stranger), jwks, rules));
    expect([error.code, error.status]).toEqual(['INVALID_SIGNATURE', 401]);
  });

  it('refuses a token whose kid the issuer never published', async () => {
    const error = await refusal(
      verifyJwt(await token(signers['RS256']!, {}, { kid: 'rotated-away' }), jwks, rules),
    );
    expect(error.code).toBe('UNKNOWN_KEY');
  });

  it('refuses the wrong issuer, the wrong audience, an expired or a not-yet-valid token', async () => {
    const rs = signers['RS256']!;
    expect(
      (await refusal(verifyJwt(await token(rs, {}, { issuer: 'https://evil.test' }), jwks, rules))).code,
    ).toBe('WRONG_ISSUER');
    expect((await refusal(verifyJwt(await token(rs, {}, { audience: 'other-api' }), jwks, rules))).code).toBe(
      'WRONG_AUDIENCE',
    );
    const expiredAt = Math.floor(Date.now() / 1000) - 3600;
    expect((await refusal(verifyJwt(await token(rs, {}, { expiresIn: expiredAt }), jwks, rules))).code).toBe(
      'EXPIRED',
    );
    const future = { ...rules, currentDate: new Date(Date.now() - 3_600_000) };
    const early = await new SignJWT({ nbf: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'RS256', kid: rs.kid })
      .setIssuer(rules.issuer)
      .setAudience('radflow-api')
      .setExpirationTime('2h')
      .sign(rs.privateKey);
    expect((await refusal(verifyJwt(early, jwks, future))).code).toBe('NOT_YET_VALID');
  });

  it('refuses a token without exp, an algorithm not allowed, an unsigned token and garbage', async () => {
    const rs = signers['RS256']!;
    const eternal = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: rs.kid })
      .setIssuer(rules.issuer)
      .setAudience('radflow-api')
      .sign(rs.privateKey);
    expect((await refusal(verifyJwt(eternal, jwks, rules))).code).toBe('INVALID_CLAIMS');
    const es384Only = { ...rules, algorithms: ['ES384'] as JwtAlgorithm[] };
    expect((await refusal(verifyJwt(await token(rs), jwks, es384Only))).code).toBe('ALGORITHM_NOT_ALLOWED');
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(
      JSON.stringify({ iss: rules.issuer, aud: 'radflow-api', exp: Math.floor(Date.now() / 1000) + 60 }),
    ).toString('base64url');
    expect((await refusal(verifyJwt(`${header}.${body}.`, jwks, rules))).status).toBe(401);
    expect((await refusal(verifyJwt('a.b.c', jwks, rules))).code).toBe('MALFORMED_TOKEN');
  });

  it('answers 503, not 401, when the key set cannot be fetched', async () => {
    const unreachable = () => Promise.reject(new TypeError('fetch failed'));
    const error = await refusal(verifyJwt(await token(signers['ES256']!), unreachable, rules));
    expect([error.code, error.status]).toEqual(['KEYS_UNAVAILABLE', 503]);
  });
});

describe('ApiKeySet', () => {
  const key = 'k3y-of-the-mirth-channel-0001';
  it('accepts a listed key, given plain or as its sha256 digest, and refuses others', () => {
    for (const set of [
      new ApiKeySet([key]),
      new ApiKeySet(['another-key-abcdefgh', hashedApiKeyEntry(key)]),
    ]) {
      expect(set.match(key)).toMatch(/^[0-9a-f]{8}$/);
      expect(set.match(`${key}x`)).toBeUndefined();
      expect(set.match(key.slice(0, -1))).toBeUndefined();
      expect(set.match('')).toBeUndefined();
    }
    expect(new ApiKeySet([key]).match(key)).toBe(new ApiKeySet([hashedApiKeyEntry(key)]).match(key));
  });

  it('refuses to be configured with a guessable key', () => {
    expect(() => new ApiKeySet(['short'])).toThrow(/shorter than 16/);
  });
});

describe('Authenticator', () => {
  const key = 'a-static-api-key-for-tests';
  const jwtPolicy = () => ({
    mode: 'jwt' as const,
    apiKeys: new ApiKeySet([key]),
    jwt: { rules, keys: jwks },
    requireScopes: true,
  });

  it('lets anyone through in mode none', async () => {
    const open = new Authenticator({ mode: 'none', apiKeys: new ApiKeySet([]), requireScopes: false });
    expect((await open.authenticate(undefined)).kind).toBe('anonymous');
  });

  it('checks API keys in api-key mode: missing 401 without error code, wrong 401 invalid_token', async () => {
    const auth = new Authenticator({ mode: 'api-key', apiKeys: new ApiKeySet([key]), requireScopes: false });
    expect((await auth.authenticate(`Bearer ${key}`)).kind).toBe('api-key');
    expect((await auth.authenticate(`bearer   ${key}`)).kind).toBe('api-key');
    const missing = await refusal(auth.authenticate(undefined));
    expect([missing.code, wwwAuthenticate(missing)]).toEqual(['MISSING_TOKEN', 'Bearer realm="radflow"']);
    const wrong = await refusal(auth.authenticate('Bearer not-the-key-at-all'));
    expect(wrong.code).toBe('UNKNOWN_API_KEY');
    expect(wwwAuthenticate(wrong)).toBe(
      'Bearer realm="radflow", error="invalid_token", error_description="unknown API key"',
    );
    expect((await refusal(auth.authenticate(`Basic ${key}`))).code).toBe('MALFORMED_TOKEN');
  });

  it('accepts JWTs and the listed keys in jwt mode, and enforces the route scope on JWTs', async () => {
    const auth = new Authenticator(jwtPolicy());
    const scoped = await token(signers['ES384']!, { scope: 'radflow.inference' });
    expect((await auth.authenticate(`Bearer ${scoped}`, 'radflow.inference')).subject).toBe('svc-mirth');
    expect((await auth.authenticate(`Bearer ${key}`, 'radflow.gateway')).kind).toBe('api-key');
    const lacking = await refusal(auth.authenticate(`Bearer ${scoped}`, 'radflow.gateway'));
    expect([lacking.code, lacking.status]).toEqual(['INSUFFICIENT_SCOPE', 403]);
    expect(wwwAuthenticate(lacking)).toContain('error="insufficient_scope"');
    expect(wwwAuthenticate(lacking)).toContain('scope="radflow.gateway"');
    const forged = await refusal(auth.authenticate(`Bearer ${await token(stranger)}`));
    expect(forged.code).toBe('INVALID_SIGNATURE');
    expect((await refusal(auth.authenticate('Bearer not-a-jwt-nor-a-key'))).code).toBe('UNKNOWN_API_KEY');
  });

  it('does not ask JWT callers for scopes unless required', async () => {
    const auth = new Authenticator({ ...jwtPolicy(), requireScopes: false });
    const plain = await token(signers['RS384']!);
    expect((await auth.authenticate(`Bearer ${plain}`, 'radflow.feedback')).kind).toBe('jwt');
  });
});

describe('effectiveAuthMode and bearerToken', () => {
  it('follows the configuration, and only leaves a loopback-bound API open', () => {
    const none = { apiKeyCount: 0, bindHost: '127.0.0.1' };
    expect(effectiveAuthMode('auto', none)).toBe('none');
    expect(effectiveAuthMode('auto', { ...none, bindHost: '::1' })).toBe('none');
    expect(effectiveAuthMode('auto', { ...none, bindHost: '0.0.0.0' })).toBe('api-key');
    expect(effectiveAuthMode('auto', { ...none, bindHost: '10.1.2.3' })).toBe('api-key');
    expect(effectiveAuthMode('auto', { ...none, apiKeyCount: 1 })).toBe('api-key');
    expect(effectiveAuthMode('auto', { ...none, jwksUrl: 'https://idp/jwks' })).toBe('jwt');
    expect(effectiveAuthMode('none', { ...none, bindHost: '0.0.0.0' })).toBe('none');
  });

  it('reads the token of a Bearer header', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(() => bearerToken('Bearer')).toThrow(AuthError);
  });
});
