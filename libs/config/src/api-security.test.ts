import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientApiToken, loadConfig, resolveApiKeyFile } from './index.ts';

const jwtEnv = {
  API_JWT_JWKS_URL: 'https://idp.hospital.org/realms/rad/protocol/openid-connect/certs',
  API_JWT_ISSUER: 'https://idp.hospital.org/realms/rad',
  API_JWT_AUDIENCE: 'radflow-api, radflow',
};

describe('API security settings', () => {
  it('need no configuration: auto mode, no keys, 1 MiB bodies, an open MLLP listener without TLS', () => {
    const config = loadConfig({});
    expect(config.api.auth).toMatchObject({
      mode: 'auto',
      apiKeys: [],
      requireScopes: false,
      protectMetrics: false,
    });
    expect(config.api.auth.apiKeyFile).toMatch(/\.cache\/api-key$/);
    expect(config.api.maxBodyBytes).toBe(config.ingest.maxMessageBytes);
    expect(config.gateway.mllpAllow).toEqual([]);
    expect(config.gateway.mllpTls).toBeUndefined();
  });

  it('read a JWT issuer and refuse an incomplete one', () => {
    const config = loadConfig({ ...jwtEnv, API_JWT_ALGORITHMS: 'ES384,RS384' });
    expect(config.api.auth.jwt).toEqual({
      issuer: jwtEnv.API_JWT_ISSUER,
      audience: ['radflow-api', 'radflow'],
      jwksUrl: jwtEnv.API_JWT_JWKS_URL,
      algorithms: ['ES384', 'RS384'],
      clockToleranceSeconds: 30,
    });
    expect(() => loadConfig({ ...jwtEnv, API_JWT_ISSUER: '' })).toThrow(/API_JWT_ISSUER/);
    expect(() => loadConfig({ ...jwtEnv, API_JWT_ALGORITHMS: 'HS256' })).toThrow(/API_JWT_ALGORITHMS/);
    expect(() => loadConfig({ API_AUTH_MODE: 'jwt' })).toThrow(/API_JWT_JWKS_URL/);
    expect(() => loadConfig({ API_AUTH_MODE: 'basic' })).toThrow(/API_AUTH_MODE/);
  });

  it('take API keys plain or hashed, refuse short ones, and give clients the first plain key', () => {
    const hashed = `sha256:${'ab'.repeat(32)}`;
    const config = loadConfig({ API_KEYS: `${hashed}, mirth-channel-key-0001` });
    expect(config.api.auth.apiKeys).toEqual([hashed, 'mirth-channel-key-0001']);
    expect(clientApiToken(config.api.auth)).toBe('mirth-channel-key-0001');
    expect(clientApiToken(loadConfig({ API_KEYS: hashed, API_CLIENT_TOKEN: 'given-token' }).api.auth)).toBe(
      'given-token',
    );
    expect(() => loadConfig({ API_KEYS: 'short' })).toThrow(/API_KEYS/);
  });

  it('read the MLLP allow-list and TLS files, refusing half a pair or a bad range', () => {
    const config = loadConfig({
      GATEWAY_MLLP_ALLOW: '10.1.0.0/16, 192.0.2.7',
      GATEWAY_MLLP_TLS_CERT: '/etc/radflow/mllp.crt',
      GATEWAY_MLLP_TLS_KEY: '/etc/radflow/mllp.key',
    });
    expect(config.gateway.mllpAllow).toEqual(['10.1.0.0/16', '192.0.2.7']);
    expect(config.gateway.mllpTls).toEqual({
      certFile: '/etc/radflow/mllp.crt',
      keyFile: '/etc/radflow/mllp.key',
    });
    expect(() => loadConfig({ GATEWAY_MLLP_TLS_CERT: '/x.crt' })).toThrow(/GATEWAY_MLLP_TLS_KEY/);
    expect(() => loadConfig({ GATEWAY_MLLP_ALLOW: 'mirth.local' })).toThrow(/GATEWAY_MLLP_ALLOW/);
  });

  it('generate the installation key once, owner-only, and hand clients the same one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'radflow-api-key-'));
    try {
      const file = join(dir, 'nested', 'api-key');
      const settings = loadConfig({ API_KEY_FILE: file }).api.auth;
      expect(clientApiToken(settings)).toBeUndefined();
      const key = resolveApiKeyFile(file);
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(resolveApiKeyFile(file)).toBe(key);
      expect(readFileSync(file, 'utf8').trim()).toBe(key);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(clientApiToken(settings)).toBe(key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
