import { describe, expect, it } from 'vitest';
import { cookieValue, SessionTokens, SignInThrottle } from './sessions.ts';
import { hashPassword, LocalUsers, verifyPassword } from './users.ts';
import { IdempotentRequests } from '../idempotency.ts';
import { opaqueId } from '../opaque-id.ts';

const fastCost = { N: 1024, r: 8, p: 1 };

describe('local users', () => {
  it('stores scrypt hashes and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery', fastCost);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hash).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batter', hash)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
    const users = new LocalUsers([{ username: 'dr-a', name: 'Dr A', password: hash }]);
    expect(await users.authenticate('dr-a', 'correct horse battery')).toEqual({
      username: 'dr-a',
      name: 'Dr A',
    });
    expect(await users.authenticate('dr-a', 'wrong')).toBeUndefined();
    expect(await users.authenticate('nobody', 'correct horse battery')).toBeUndefined();
  });

  it('reads the embedded users file', () => {
    const users = LocalUsers.fromFile(new URL('../../users.embedded.json', import.meta.url).pathname);
    expect(users.find('radiologist')).toEqual({ username: 'radiologist', name: 'Demo Radiologist' });
  });
});

describe('session tokens', () => {
  it('accept what they issued until expiry or sign-out, and nothing forged', () => {
    let now = 1_000_000;
    const tokens = new SessionTokens('secret', 60_000, () => now);
    const { token, session } = tokens.issue({ username: 'dr-a', name: 'Dr A' });
    expect(tokens.verify(token)).toMatchObject({ username: 'dr-a', name: 'Dr A' });
    const [body] = token.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ ...session, username: 'admin' })).toString('base64url');
    expect(tokens.verify(`${forgedBody}.${token.split('.')[1]}`)).toBeUndefined();
    expect(tokens.verify(`${body}.AAAA`)).toBeUndefined();
    expect(new SessionTokens('other', 60_000, () => now).verify(token)).toBeUndefined();
    expect(tokens.verify(undefined)).toBeUndefined();
    now += 60_001;
    expect(tokens.verify(token)).toBeUndefined();
    now -= 60_001;
    tokens.revoke(session);
    expect(tokens.verify(token)).toBeUndefined();
  });

  it('sets an HttpOnly, SameSite=Strict cookie and reads it back', () => {
    const tokens = new SessionTokens('secret', 3_600_000);
    expect(tokens.cookie('abc', false)).toBe(
      'radflow_worklist=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600',
    );
    expect(tokens.cookie('abc', true)).toMatch(/; Secure$/);
    expect(cookieValue('a=1; radflow_worklist=tok.sig; b=2', 'radflow_worklist')).toBe('tok.sig');
    expect(cookieValue(undefined, 'radflow_worklist')).toBeUndefined();
  });

  it('throttles a username after repeated failures', () => {
    let now = 0;
    const throttle = new SignInThrottle(3, 1000, () => now);
    for (let i = 0; i < 3; i++) throttle.failed('dr-a');
    expect(throttle.blocked('dr-a')).toBe(true);
    expect(throttle.blocked('dr-b')).toBe(false);
    now = 1001;
    expect(throttle.blocked('dr-a')).toBe(false);
  });
});

describe('idempotent requests and opaque ids', () => {
  it('does the work once per key, even while the first is running; a failure may be retried', async () => {
    const requests = new IdempotentRequests<number>();
    let runs = 0;
    const work = () => new Promise<number>((resolve) => setTimeout(() => resolve(++runs), 10));
    const first = requests.run('k', work);
    const second = requests.run('k', work);
    expect([await first.answer, await second.answer, second.replayed]).toEqual([1, 1, true]);
    const failing = requests.run('f', () => Promise.reject(new Error('bus down')));
    await expect(failing.answer).rejects.toThrow('bus down');
    await Promise.resolve();
    expect(await requests.run('f', work).answer).toBe(2);
  });

  it('makes a keyed, fixed-length id that does not contain the accession', () => {
    const id = opaqueId('key', 'ACC1002');
    expect(id).toMatch(/^[a-f0-9]{32}$/);
    expect(opaqueId('key', 'ACC1002')).toBe(id);
    expect(opaqueId('other', 'ACC1002')).not.toBe(id);
  });
});
