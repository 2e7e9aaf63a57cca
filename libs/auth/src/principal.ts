/** Who made a request: a JWT's subject, an API key (by the short id of its digest), or anyone (auth off). */
export interface Principal {
  kind: 'jwt' | 'api-key' | 'anonymous';
  /** The JWT `sub`, `api-key:<8 hex of the key's digest>`, or `anonymous`: never a secret. */
  subject: string;
  /** OAuth 2.0 scopes granted; API keys and anonymous callers hold every scope (`*`). */
  scopes: string[];
}

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.scopes.includes('*') || principal.scopes.includes(scope);
}
