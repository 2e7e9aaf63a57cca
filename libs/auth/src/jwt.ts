import {
  createLocalJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { AuthError } from './errors.ts';
import type { Principal } from './principal.ts';

/** The asymmetric signatures accepted: a shared-secret (HS*) or unsigned token is never accepted. */
export const JWT_ALGORITHMS = ['RS256', 'ES256', 'RS384', 'ES384'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface JwtRules {
  /** The `iss` a token must carry (the identity provider's issuer identifier). */
  issuer: string;
  /** The `aud` a token must name (one of these). */
  audience: string[];
  /** Signature algorithms accepted; default all of JWT_ALGORITHMS. */
  algorithms?: readonly JwtAlgorithm[];
  /** Clock skew tolerated on `exp` and `nbf`, in seconds; default 30. */
  clockToleranceSeconds?: number;
  /** The time to check `exp`/`nbf` against (tests); default now. */
  currentDate?: Date;
}

/**
 * The keys a token's signature is checked with: a JSON Web Key Set already fetched (pure), or jose's key getter (a
 * remote set that fetches and caches the issuer's JWKS, created where I/O belongs).
 */
export type JwtKeys = JSONWebKeySet | JWTVerifyGetKey;

/**
 * Verifies a compact JWS JWT: signature by a key of the set (chosen by `kid`), an allowed asymmetric algorithm,
 * `iss`, `aud`, `exp` (required) and `nbf`. Every refusal is an AuthError with a code saying which rule failed.
 */
export async function verifyJwt(token: string, keys: JwtKeys, rules: JwtRules): Promise<Principal> {
  const getKey = typeof keys === 'function' ? keys : createLocalJWKSet(keys);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      issuer: rules.issuer,
      audience: rules.audience,
      algorithms: [...(rules.algorithms ?? JWT_ALGORITHMS)],
      clockTolerance: rules.clockToleranceSeconds ?? 30,
      requiredClaims: ['exp'],
      ...(rules.currentDate ? { currentDate: rules.currentDate } : {}),
    }));
  } catch (error) {
    throw jwtFailure(error);
  }
  return {
    kind: 'jwt',
    subject: typeof payload.sub === 'string' ? payload.sub : 'unknown',
    scopes: scopesOf(payload),
  };
}

/** OAuth 2.0 scopes of a token: `scope` (space-separated, RFC 8693) or `scp` (a list or a string, as some IdPs send). */
export function scopesOf(payload: JWTPayload): string[] {
  const values = [payload['scope'], payload['scp']].flatMap((claim) =>
    typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [],
  );
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))];
}

function jwtFailure(error: unknown): AuthError {
  const cause = { cause: error };
  if (error instanceof errors.JWTExpired) return new AuthError('EXPIRED', 'token expired', undefined, cause);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return new AuthError('WRONG_ISSUER', 'unexpected issuer', undefined, cause);
    if (error.claim === 'aud')
      return new AuthError('WRONG_AUDIENCE', 'token not meant for this API', undefined, cause);
    if (error.claim === 'nbf' && error.reason === 'check_failed')
      return new AuthError('NOT_YET_VALID', 'token not yet valid', undefined, cause);
    return new AuthError('INVALID_CLAIMS', `invalid ${error.claim} claim`, undefined, cause);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new AuthError('INVALID_SIGNATURE', 'signature verification failed', undefined, cause);
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return new AuthError('UNKNOWN_KEY', 'no single key of the issuer matches the token', undefined, cause);
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return new AuthError('ALGORITHM_NOT_ALLOWED', 'signature algorithm not accepted', undefined, cause);
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JWKInvalid
  )
    return new AuthError('MALFORMED_TOKEN', 'malformed token', undefined, cause);
  // The key set could not be fetched or read (timeout, network, not a JWKS): not the caller's fault.
  return new AuthError('KEYS_UNAVAILABLE', 'the signing keys could not be fetched', undefined, cause);
}
