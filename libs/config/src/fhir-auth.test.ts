import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { ConfigError } from './env-reader.ts';
import { DEFAULT_SMART_SCOPE, readFhirAuthSettings } from './fhir-auth.ts';

const dir = mkdtempSync(join(tmpdir(), 'radflow-fhir-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const pkcs1 = file('rsa-pkcs1.pem', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
const ecPem = file('ec.pem', ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString());
const jwk = file(
  'rsa.jwk',
  JSON.stringify({ ...rsa.privateKey.export({ format: 'jwk' }), kid: 'jwk-kid-1' }),
);
const smart = { FHIR_AUTH: 'smart-backend', FHIR_SMART_CLIENT_ID: 'radflow-prod' };

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('FHIR auth settings', () => {
  it('sends no credentials by default', () => {
    expect(loadConfig({}).fhir.auth).toEqual({ kind: 'none' });
    expect(loadConfig({}).fhir.bearerToken).toBeUndefined();
  });

  it('reads a static bearer token, with or without FHIR_AUTH=bearer', () => {
    expect(loadConfig({ FHIR_BEARER_TOKEN: 'abc' }).fhir).toMatchObject({
      auth: { kind: 'bearer', token: 'abc' },
      bearerToken: 'abc',
    });
    expect(readFhirAuthSettings({ FHIR_AUTH: 'none', FHIR_BEARER_TOKEN: 'abc' })).toEqual({ kind: 'none' });
    expect(configError(() => readFhirAuthSettings({ FHIR_AUTH: 'bearer' })).variable).toBe(
      'FHIR_BEARER_TOKEN',
    );
  });

  it('reads SMART Backend Services settings with an RSA PEM key, normalised to PKCS#8', () => {
    const auth = readFhirAuthSettings({
      ...smart,
      FHIR_SMART_PRIVATE_KEY_FILE: pkcs1,
      FHIR_SMART_KEY_ID: 'key-2025',
      FHIR_SMART_TOKEN_URL: 'https://ehr.example/oauth2/token',
      FHIR_SMART_REFRESH_MARGIN_SECONDS: '30',
    });
    expect(auth).toMatchObject({
      kind: 'smart-backend',
      clientId: 'radflow-prod',
      alg: 'RS384',
      keyId: 'key-2025',
      tokenUrl: 'https://ehr.example/oauth2/token',
      scope: DEFAULT_SMART_SCOPE,
      refreshMarginSeconds: 30,
    });
    if (auth.kind !== 'smart-backend') throw new Error('unreachable');
    expect(auth.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(createPublicKey(auth.privateKeyPem).export({ format: 'jwk' })).toEqual(
      rsa.publicKey.export({ format: 'jwk' }),
    );
  });

  it('takes ES384 for a P-384 key, the kid of a JWK, and discovery when no token URL is set', () => {
    expect(readFhirAuthSettings({ ...smart, FHIR_SMART_PRIVATE_KEY_FILE: ecPem })).toMatchObject({
      alg: 'ES384',
      refreshMarginSeconds: 60,
    });
    const fromJwk = readFhirAuthSettings({
      ...smart,
      FHIR_SMART_PRIVATE_KEY_FILE: jwk,
      FHIR_SMART_SCOPE: 'system/*.read',
    });
    expect(fromJwk).toMatchObject({ alg: 'RS384', keyId: 'jwk-kid-1', scope: 'system/*.read' });
    expect(fromJwk).not.toHaveProperty('tokenUrl');
  });

  it('refuses incomplete or inconsistent SMART settings, naming the variable and never the key', () => {
    expect(configError(() => readFhirAuthSettings({ FHIR_AUTH: 'smart-backend' })).variable).toBe(
      'FHIR_SMART_CLIENT_ID',
    );
    expect(configError(() => readFhirAuthSettings(smart)).variable).toBe('FHIR_SMART_PRIVATE_KEY_FILE');
    const mismatch = configError(() =>
      readFhirAuthSettings({ ...smart, FHIR_SMART_PRIVATE_KEY_FILE: ecPem, FHIR_SMART_ALG: 'RS384' }),
    );
    expect(mismatch.message).toBe(
      'environment variable FHIR_SMART_PRIVATE_KEY_FILE must be an RSA private key for FHIR_SMART_ALG=RS384',
    );
    const publicOnly = file('public.pem', rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const notPrivate = configError(() =>
      readFhirAuthSettings({ ...smart, FHIR_SMART_PRIVATE_KEY_FILE: publicOnly }),
    );
    expect(notPrivate.variable).toBe('FHIR_SMART_PRIVATE_KEY_FILE');
    expect(notPrivate.message).not.toContain('BEGIN');
    expect(
      configError(() => readFhirAuthSettings({ ...smart, FHIR_SMART_PRIVATE_KEY_FILE: join(dir, 'absent') }))
        .expected,
    ).toBe('a readable file');
    expect(
      configError(() =>
        readFhirAuthSettings({ ...smart, FHIR_SMART_PRIVATE_KEY_FILE: pkcs1, FHIR_SMART_TOKEN_URL: 'token' }),
      ).variable,
    ).toBe('FHIR_SMART_TOKEN_URL');
    expect(configError(() => readFhirAuthSettings({ FHIR_AUTH: 'oauth' })).variable).toBe('FHIR_AUTH');
  });
});
