export { AuthError, wwwAuthenticate, type AuthFailureCode } from './errors.ts';
export { ApiKeySet, hashedApiKeyEntry, sha256Hex, MIN_API_KEY_LENGTH } from './api-keys.ts';
export {
  verifyJwt,
  scopesOf,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  type JwtKeys,
  type JwtRules,
} from './jwt.ts';
export { hasScope, type Principal } from './principal.ts';
export {
  Authenticator,
  bearerToken,
  effectiveAuthMode,
  type AuthMode,
  type AuthPolicy,
} from './authenticator.ts';
export { PeerAllowList, isLoopbackHost } from './peer-allow-list.ts';
