/**
 * Why a caller was refused. 401 codes mean "no or bad credentials" (the client should authenticate again), 403 means
 * "authenticated, but not allowed", 503 means radflow could not check (the JWKS endpoint did not answer).
 */
export type AuthFailureCode =
  | 'MISSING_TOKEN'
  | 'MALFORMED_TOKEN'
  | 'UNKNOWN_API_KEY'
  | 'INVALID_SIGNATURE'
  | 'UNKNOWN_KEY'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'WRONG_ISSUER'
  | 'WRONG_AUDIENCE'
  | 'INVALID_CLAIMS'
  | 'INSUFFICIENT_SCOPE'
  | 'KEYS_UNAVAILABLE';

const STATUS: Record<AuthFailureCode, 401 | 403 | 503> = {
  MISSING_TOKEN: 401,
  MALFORMED_TOKEN: 401,
  UNKNOWN_API_KEY: 401,
  INVALID_SIGNATURE: 401,
  UNKNOWN_KEY: 401,
  ALGORITHM_NOT_ALLOWED: 401,
  EXPIRED: 401,
  NOT_YET_VALID: 401,
  WRONG_ISSUER: 401,
  WRONG_AUDIENCE: 401,
  INVALID_CLAIMS: 401,
  INSUFFICIENT_SCOPE: 403,
  KEYS_UNAVAILABLE: 503,
};

/** A refused or unverifiable credential. The message names the rule, never the token or its claims' values. */
export class AuthError extends Error {
  readonly status: 401 | 403 | 503;

  constructor(
    readonly code: AuthFailureCode,
    message: string,
    /** The scope the caller lacked (INSUFFICIENT_SCOPE). */
    readonly scope?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AuthError';
    this.status = STATUS[code];
  }
}

/**
 * The WWW-Authenticate challenge of a refusal (RFC 6750 section 3): no error code when no credentials were sent,
 * `invalid_token` for a bad one, `insufficient_scope` with the scope needed. Undefined for a 503 (not a challenge).
 */
export function wwwAuthenticate(error: AuthError, realm = 'radflow'): string | undefined {
  if (error.status === 503) return undefined;
  const parts = [`realm="${quoted(realm)}"`];
  if (error.code !== 'MISSING_TOKEN') {
    parts.push(`error="${error.status === 403 ? 'insufficient_scope' : 'invalid_token'}"`);
    parts.push(`error_description="${quoted(error.message)}"`);
  }
  if (error.scope) parts.push(`scope="${quoted(error.scope)}"`);
  return `Bearer ${parts.join(', ')}`;
}

/** RFC 6750 limits error_description to printable ASCII without `"` and `\`. */
function quoted(text: string): string {
  return text.replace(/[^\x20-\x7e]|["\\]/g, "'");
}
