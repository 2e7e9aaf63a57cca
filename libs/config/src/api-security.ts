import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, envReader, type Env } from './env-reader.ts';

const JWT_ALGORITHMS = ['RS256', 'ES256', 'RS384', 'ES384'] as const;
export type ApiJwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/**
 * Who may call the HTTP APIs (gateway, inference, feedback) and how large a request body may be. Checked by
 * @radflow/platform's ApiAuthGuard with @radflow/auth's Authenticator.
 */
export interface ApiSettings {
  auth: {
    /**
     * API_AUTH_MODE: `none`, `api-key` (static keys: API_KEYS, else the installation's generated key file), `jwt`
     * (bearer JWTs checked against API_JWT_ISSUER / _AUDIENCE / _JWKS_URL; API_KEYS are accepted too), or `auto`
     * (the default): jwt when a JWKS URL is set, api-key when keys are, else open on a loopback bind and the
     * generated key on any other bind.
     */
    mode: 'auto' | 'none' | 'api-key' | 'jwt';
    /** API_KEYS: comma-separated keys (at least 16 characters) or their `sha256:<64 hex>` digests. */
    apiKeys: string[];
    /** API_KEY_FILE: the installation's generated key, created on first use when api-key mode has no API_KEYS. */
    apiKeyFile: string;
    jwt?: {
      issuer: string;
      audience: string[];
      jwksUrl: string;
      /** API_JWT_ALGORITHMS: a subset of RS256, ES256, RS384, ES384. */
      algorithms: ApiJwtAlgorithm[];
      clockToleranceSeconds: number;
    };
    /** API_REQUIRE_SCOPES: a JWT must carry the API's scope (radflow.gateway, radflow.inference, radflow.feedback). */
    requireScopes: boolean;
    /** API_AUTH_METRICS: GET /metrics needs a token too (default open, for Prometheus scrapes). */
    protectMetrics: boolean;
    /**
     * API_CLIENT_TOKEN: the bearer token radflow's own callers send (the enricher to INFERENCE_URL, the demo to the
     * gateway); unset: the first plain API_KEYS entry, else the generated key file when it exists.
     */
    clientToken?: string;
  };
  /** HTTP_MAX_BODY_BYTES: the largest request body an HTTP API reads; larger ones are answered 413. */
  maxBodyBytes: number;
}

/** MLLP listener hardening: who may connect (GATEWAY_MLLP_ALLOW) and TLS (GATEWAY_MLLP_TLS_*). */
export interface MllpSecuritySettings {
  /** Addresses and CIDR ranges allowed to connect; empty: anyone who can reach the bind address. */
  mllpAllow: string[];
  /** PEM files, read when the listener starts; with caFile, a client certificate signed by that CA is required. */
  mllpTls?: { certFile: string; keyFile: string; caFile?: string };
}

const MIN_API_KEY_LENGTH = 16;

export function readApiSettings(env: Env, defaultApiKeyFile: string): ApiSettings {
  const read = envReader(env);
  const apiKeys = read.list('API_KEYS', []);
  for (const key of apiKeys)
    if (!/^sha256:[0-9a-f]{64}$/i.test(key) && key.length < MIN_API_KEY_LENGTH)
      throw new ConfigError(
        'API_KEYS',
        `keys of at least ${MIN_API_KEY_LENGTH} characters or sha256:<64 hex>`,
      );
  const mode = read.oneOf('API_AUTH_MODE', ['auto', 'none', 'api-key', 'jwt'], 'auto');
  const jwksUrl = read.optionalString('API_JWT_JWKS_URL');
  if (mode === 'jwt' && !jwksUrl) throw new ConfigError('API_JWT_JWKS_URL', 'set when API_AUTH_MODE=jwt');
  let jwt: ApiSettings['auth']['jwt'];
  if (jwksUrl) {
    if (!URL.canParse(jwksUrl)) throw new ConfigError('API_JWT_JWKS_URL', 'a URL');
    const issuer = read.optionalString('API_JWT_ISSUER');
    const audience = read.list('API_JWT_AUDIENCE', []);
    if (!issuer) throw new ConfigError('API_JWT_ISSUER', 'set with API_JWT_JWKS_URL');
    if (audience.length === 0) throw new ConfigError('API_JWT_AUDIENCE', 'set with API_JWT_JWKS_URL');
    const algorithms = read.list('API_JWT_ALGORITHMS', [...JWT_ALGORITHMS]);
    for (const alg of algorithms)
      if (!(JWT_ALGORITHMS as readonly string[]).includes(alg))
        throw new ConfigError('API_JWT_ALGORITHMS', `a list of ${JWT_ALGORITHMS.join(', ')}`);
    jwt = {
      issuer,
      audience,
      jwksUrl,
      algorithms: algorithms as ApiJwtAlgorithm[],
      clockToleranceSeconds: read.int('API_JWT_CLOCK_TOLERANCE_SECONDS', 30, { min: 0, max: 600 }),
    };
  }
  const clientToken = read.optionalString('API_CLIENT_TOKEN');
  return {
    auth: {
      mode,
      apiKeys,
      apiKeyFile: read.string('API_KEY_FILE', defaultApiKeyFile),
      ...(jwt ? { jwt } : {}),
      requireScopes: read.bool('API_REQUIRE_SCOPES', false),
      protectMetrics: read.bool('API_AUTH_METRICS', false),
      ...(clientToken ? { clientToken } : {}),
    },
    // 1 MiB: INGEST_MAX_MESSAGE_BYTES' default too, so the gateway and the JSON APIs refuse at the same size.
    maxBodyBytes: read.int('HTTP_MAX_BODY_BYTES', 1_048_576, { min: 1024, max: 1_073_741_824 }),
  };
}

export function readMllpSecuritySettings(env: Env): MllpSecuritySettings {
  const read = envReader(env);
  const mllpAllow = read.list('GATEWAY_MLLP_ALLOW', []);
  for (const entry of mllpAllow) {
    const [address, bits] = entry.split('/');
    if (isIP(address ?? '') === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits)))
      throw new ConfigError('GATEWAY_MLLP_ALLOW', 'comma-separated IP addresses or CIDR ranges');
  }
  const certFile = read.optionalString('GATEWAY_MLLP_TLS_CERT');
  const keyFile = read.optionalString('GATEWAY_MLLP_TLS_KEY');
  const caFile = read.optionalString('GATEWAY_MLLP_TLS_CA');
  if (!certFile !== !keyFile)
    throw new ConfigError(certFile ? 'GATEWAY_MLLP_TLS_KEY' : 'GATEWAY_MLLP_TLS_CERT', 'set with its pair');
  if (caFile && !certFile) throw new ConfigError('GATEWAY_MLLP_TLS_CERT', 'set with GATEWAY_MLLP_TLS_CA');
  return {
    mllpAllow,
    ...(certFile && keyFile ? { mllpTls: { certFile, keyFile, ...(caFile ? { caFile } : {}) } } : {}),
  };
}

/**
 * The installation's generated API key (API_KEY_FILE), created with a random key on first use: atomically, owner
 * readable only, and the loser of a race between two starting processes reads the winner's key. Operators read it
 * from the file to call the APIs; it is never logged.
 */
export function resolveApiKeyFile(file: string): string {
  try {
    return readApiKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  return readApiKeyFile(file);
}

/** The generated key if the file exists (a client never creates it: the server it calls does). */
export function existingApiKey(file: string): string | undefined {
  try {
    return readApiKeyFile(file);
  } catch {
    return undefined;
  }
}

function readApiKeyFile(file: string): string {
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < MIN_API_KEY_LENGTH)
    throw new ConfigError('API_KEY_FILE', `a file of at least ${MIN_API_KEY_LENGTH} characters`);
  return key;
}

/** The bearer token radflow's own HTTP callers send, if any (API_CLIENT_TOKEN, a plain API key, the generated key). */
export function clientApiToken(settings: ApiSettings['auth']): string | undefined {
  return (
    settings.clientToken ??
    settings.apiKeys.find((key) => !/^sha256:[0-9a-f]{64}$/i.test(key)) ??
    existingApiKey(settings.apiKeyFile)
  );
}
