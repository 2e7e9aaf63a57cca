import { createRemoteJWKSet } from 'jose';
import { ApiKeySet, Authenticator, effectiveAuthMode, isLoopbackHost, type AuthMode } from '@radflow/auth';
import { resolveApiKeyFile, type ApiSettings, type Logger } from '@radflow/config';

/** Injection token of the host's ApiAuth (provided by PlatformModule; the standalone inference main provides its own). */
export const API_AUTH = Symbol('radflow.api-auth');

/** The policy the ApiAuthGuard applies, resolved once per process. */
export interface ApiAuth {
  mode: AuthMode;
  authenticator: Authenticator;
  /** GET /metrics needs a token too (API_AUTH_METRICS). */
  protectMetrics: boolean;
  realm: string;
}

/** How long the issuer's keys are cached, and how soon an unknown `kid` may trigger a refetch (key rotation). */
const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_TIMEOUT_MS = 5_000;

/**
 * Builds the process's API authentication from the settings and the address its HTTP APIs are bound to: the API
 * keys (API_KEYS, else in api-key mode the installation's generated key file), the issuer's remote JWKS (fetched on
 * first use, cached, refetched on an unknown kid), and a loud warning when an API reachable from the network is open.
 */
export function createApiAuth(settings: ApiSettings['auth'], bindHost: string, logger: Logger): ApiAuth {
  const mode = effectiveAuthMode(settings.mode, {
    jwksUrl: settings.jwt?.jwksUrl,
    apiKeyCount: settings.apiKeys.length,
    bindHost,
  });
  const generated = mode === 'api-key' && settings.apiKeys.length === 0;
  const apiKeys = new ApiKeySet(generated ? [resolveApiKeyFile(settings.apiKeyFile)] : settings.apiKeys);
  const jwt =
    mode === 'jwt' && settings.jwt
      ? {
          rules: {
            issuer: settings.jwt.issuer,
            audience: settings.jwt.audience,
            algorithms: settings.jwt.algorithms,
            clockToleranceSeconds: settings.jwt.clockToleranceSeconds,
          },
          keys: createRemoteJWKSet(new URL(settings.jwt.jwksUrl), {
            timeoutDuration: JWKS_TIMEOUT_MS,
            cooldownDuration: JWKS_COOLDOWN_MS,
            cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
          }),
        }
      : undefined;
  const authenticator = new Authenticator({
    mode,
    apiKeys,
    ...(jwt ? { jwt } : {}),
    requireScopes: settings.requireScopes,
  });
  const exposed = !isLoopbackHost(bindHost);
  const log = logger.child({ component: 'api-auth' });
  if (mode === 'none' && exposed)
    log.warn(
      { bind: bindHost, mode },
      'API AUTHENTICATION IS OFF on an address reachable from the network: anyone who reaches it can post HL7, ' +
        'call the model and submit feedback. Set API_KEYS or API_JWT_JWKS_URL, or bind to 127.0.0.1',
    );
  else if (generated)
    log.warn(
      { bind: bindHost, mode, keyFile: settings.apiKeyFile },
      'the HTTP APIs require the generated API key in keyFile (send "Authorization: Bearer <key>"); set API_KEYS ' +
        'or API_JWT_JWKS_URL to choose the credentials',
    );
  else log.info({ bind: bindHost, mode, apiKeys: apiKeys.size }, 'HTTP API authentication');
  return { mode, authenticator, protectMetrics: settings.protectMetrics, realm: 'radflow' };
}
