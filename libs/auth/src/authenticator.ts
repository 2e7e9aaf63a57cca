import { ApiKeySet } from './api-keys.ts';
import { AuthError } from './errors.ts';
import { verifyJwt, type JwtKeys, type JwtRules } from './jwt.ts';
import { isLoopbackHost } from './peer-allow-list.ts';
import { hasScope, type Principal } from './principal.ts';

export type AuthMode = 'none' | 'api-key' | 'jwt';

export interface AuthPolicy {
  mode: AuthMode;
  /** Accepted in api-key mode, and beside JWTs in jwt mode (service callers that hold no IdP client). */
  apiKeys: ApiKeySet;
  /** jwt mode: the token rules and the issuer's keys. */
  jwt?: { rules: JwtRules; keys: JwtKeys };
  /** Require the route's scope of JWT callers (403 without it); off: any valid token may call every API. */
  requireScopes: boolean;
}

/**
 * The mode a deployment runs in. `auto` (the default) follows what is configured: a JWKS URL means jwt, API keys
 * mean api-key; with neither, an API bound to loopback only stays open (the embedded default, where every caller is
 * on this machine), and one reachable from the network requires the installation's generated API key.
 */
export function effectiveAuthMode(
  configured: AuthMode | 'auto',
  setup: { jwksUrl?: string | undefined; apiKeyCount: number; bindHost: string },
): AuthMode {
  if (configured !== 'auto') return configured;
  if (setup.jwksUrl) return 'jwt';
  if (setup.apiKeyCount > 0) return 'api-key';
  return isLoopbackHost(setup.bindHost) ? 'none' : 'api-key';
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 6750 section 2.1). */
export function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw new AuthError('MISSING_TOKEN', 'bearer token required');
  // Any visible characters, not only RFC 6750's b64token: an operator's API key may hold others.
  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  if (!match) throw new AuthError('MALFORMED_TOKEN', 'expected "Authorization: Bearer <token>"');
  return match[1]!;
}

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Checks one request's Authorization header against the policy; resolves to the caller or throws an AuthError. */
export class Authenticator {
  constructor(readonly policy: AuthPolicy) {
    if (policy.mode === 'jwt' && !policy.jwt) throw new RangeError('jwt mode needs the token rules and keys');
    if (policy.mode === 'api-key' && policy.apiKeys.size === 0)
      throw new RangeError('api-key mode needs at least one API key');
  }

  async authenticate(authorization: string | undefined, requiredScope?: string): Promise<Principal> {
    if (this.policy.mode === 'none') return { kind: 'anonymous', subject: 'anonymous', scopes: ['*'] };
    const token = bearerToken(authorization);
    const principal = await this.verify(token);
    if (requiredScope && this.policy.requireScopes && !hasScope(principal, requiredScope))
      throw new AuthError('INSUFFICIENT_SCOPE', `scope ${requiredScope} required`, requiredScope);
    return principal;
  }

  private async verify(token: string): Promise<Principal> {
    const { jwt, apiKeys, mode } = this.policy;
    if (mode === 'jwt' && jwt && JWS_COMPACT.test(token)) return verifyJwt(token, jwt.keys, jwt.rules);
    const keyId = apiKeys.size > 0 ? apiKeys.match(token) : undefined;
    if (keyId) return { kind: 'api-key', subject: `api-key:${keyId}`, scopes: ['*'] };
    throw mode === 'jwt' && apiKeys.size === 0
      ? new AuthError('MALFORMED_TOKEN', 'expected a signed JWT')
      : new AuthError('UNKNOWN_API_KEY', 'unknown API key');
  }
}
