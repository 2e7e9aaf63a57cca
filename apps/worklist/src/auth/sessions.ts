import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { WorklistUser } from './users.ts';

export const SESSION_COOKIE = 'radflow_worklist';

export interface Session extends WorklistUser {
  sid: string;
  /** How the user signed in: the users file (checked again on every request) or the OIDC provider. */
  provider?: 'local' | 'oidc';
  /** Expiry, ms since the epoch. */
  exp: number;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * Signed session tokens (HMAC-SHA256 over the session), kept in an HttpOnly, SameSite=Strict cookie. Stateless,
 * so any worklist instance with the same WORKLIST_SESSION_SECRET accepts them; signing out revokes the session
 * id in this process (and the cookie is cleared).
 */
export class SessionTokens {
  private readonly key: Buffer;
  private readonly revoked = new Map<string, number>();

  constructor(
    secret: string | undefined,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  issue(user: WorklistUser, provider: Session['provider'] = 'local'): { token: string; session: Session } {
    const session: Session = {
      username: user.username,
      name: user.name,
      sid: randomUUID(),
      provider,
      exp: this.now() + this.ttlMs,
    };
    return { token: this.seal({ kind: 'session', ...session }), session };
  }

  verify(token: string | undefined): Session | undefined {
    const value = this.open<Session & { kind?: string }>(token);
    if (!value || value.kind !== 'session' || typeof value.sid !== 'string' || this.revoked.has(value.sid))
      return undefined;
    const { kind: _kind, ...session } = value;
    return session;
  }

  /** A signed, expiring value of another kind too (the OIDC flow's state, nonce and PKCE verifier). */
  seal(value: { kind: string; exp: number; [key: string]: unknown }): string {
    const body = b64url(JSON.stringify(value));
    return `${body}.${this.sign(body)}`;
  }

  /** The sealed value, if the signature holds and it has not expired. */
  open<T extends { exp: number }>(token: string | undefined): T | undefined {
    if (!token) return undefined;
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let value: T;
    try {
      value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    } catch {
      return undefined;
    }
    return typeof value.exp === 'number' && value.exp > this.now() ? value : undefined;
  }

  get nowMs(): number {
    return this.now();
  }

  revoke(session: Session): void {
    const now = this.now();
    for (const [sid, exp] of this.revoked) if (exp <= now) this.revoked.delete(sid);
    this.revoked.set(session.sid, session.exp);
  }

  cookie(token: string, secure: boolean): string {
    return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(this.ttlMs / 1000)}${secure ? '; Secure' : ''}`;
  }

  static clearedCookie(secure: boolean): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Failed sign-ins per username: after `limit` failures within the window, further tries are refused. */
export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  blocked(username: string): boolean {
    return this.recent(username).length >= this.limit;
  }

  failed(username: string): void {
    this.failures.set(username, [...this.recent(username), this.now()]);
  }

  succeeded(username: string): void {
    this.failures.delete(username);
  }

  private recent(username: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(username) ?? []).filter((t) => t > since);
  }
}
