import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createLogger, loadConfig } from '@radflow/config';
import { OidcSignIn } from '../auth/oidc.ts';
import { SessionTokens } from '../auth/sessions.ts';
import { LocalUsers } from '../auth/users.ts';
import type { WebAssets } from '../web-assets.ts';
import type { WorklistService } from '../worklist.service.ts';
import { WorklistHub } from '../worklist-hub.ts';
import { WorklistHttpModule } from './worklist-http.module.ts';

/** A minimal OpenID provider on loopback: discovery, keys, an authorize step that always says yes, tokens. */
async function startIssuer(user: { sub: string; preferred_username: string; name: string }) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const grants = new Map<string, { nonce: string; challenge: string; clientId: string; redirect: string }>();
  let issuer = '';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url!, issuer);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/realm/.well-known/openid-configuration')
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    if (url.pathname === '/realm/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/realm/authorize') {
      const code = randomUUID();
      const p = url.searchParams;
      grants.set(code, {
        nonce: p.get('nonce')!,
        challenge: p.get('code_challenge')!,
        clientId: p.get('client_id')!,
        redirect: p.get('redirect_uri')!,
      });
      const back = new URL(p.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state')!);
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (url.pathname === '/realm/token' && request.method === 'POST') {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const form = new URLSearchParams(body);
        const grant = grants.get(form.get('code') ?? '');
        grants.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (!grant || grant.challenge !== challenge || grant.redirect !== form.get('redirect_uri'))
          return json(400, { error: 'invalid_grant' });
        void new SignJWT({ ...user, nonce: grant.nonce })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer(issuer)
          .setAudience(grant.clientId)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey)
          .then((idToken) =>
            json(200, { access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token: idToken }),
          );
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realm`;
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const cookieOf = (response: Response, name: string) =>
  response.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0];

describe('OIDC sign-in (authorization code + PKCE) against a provider on loopback', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    issuer = await startIssuer({ sub: 'u-123', preferred_username: 'dr-oidc', name: 'Dr Oidc' });
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    base = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      WORKLIST_PORT: String(port),
      WORKLIST_USERS_FILE: 'none',
      WORKLIST_OIDC_ISSUER: issuer.issuer,
      WORKLIST_OIDC_CLIENT_ID: 'radflow-worklist',
      WORKLIST_OIDC_CLIENT_SECRET: 'client-secret',
    }).worklist;
    expect(config.oidc?.redirectUrl).toBe(`${base}/auth/oidc/callback`);
    const tokens = new SessionTokens('session-secret', 60_000);
    app = await NestFactory.create(
      WorklistHttpModule.forRoot({
        config,
        logger: createLogger('oidc-test', 'silent'),
        users: LocalUsers.fromFile('none'),
        tokens,
        assets: { get: () => undefined } as unknown as WebAssets,
        worklist: {} as WorklistService,
        hub: new WorklistHub(),
        oidc: new OidcSignIn(config.oidc!, tokens),
      }),
      { logger: false },
    );
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  async function startSignIn() {
    const start = await fetch(`${base}/auth/oidc`, { redirect: 'manual' });
    expect(start.status).toBe(303);
    const flow = cookieOf(start, 'radflow_worklist_oidc')!;
    expect(start.headers.getSetCookie()[0]).toMatch(/HttpOnly; SameSite=Lax/);
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    return { flow, callback: authorize.headers.get('location')! };
  }

  it('offers the provider on the sign-in page and no password form without local users', async () => {
    const page = await (await fetch(`${base}/login`)).text();
    expect(page).toContain(`Sign in with ${new URL(issuer.issuer).host}`);
    expect(page).not.toContain('type="password"');
  });

  it('signs in the user the provider vouches for, with the configured claim as the reviewer id', async () => {
    const { flow, callback } = await startSignIn();
    expect(callback.startsWith(`${base}/auth/oidc/callback?`)).toBe(true);
    const done = await fetch(callback, { headers: { cookie: flow }, redirect: 'manual' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('http-equiv="refresh"');
    const session = cookieOf(done, 'radflow_worklist')!;
    expect(done.headers.getSetCookie().find((c) => c.startsWith('radflow_worklist='))).toMatch(
      /HttpOnly; SameSite=Strict/,
    );
    const me = await fetch(`${base}/api/me`, { headers: { cookie: session } });
    expect(await me.json()).toEqual({ username: 'dr-oidc', name: 'Dr Oidc' });
  });

  it('refuses a callback without its flow cookie, with a forged state, or replayed', async () => {
    const { flow, callback } = await startSignIn();
    expect((await fetch(callback, { redirect: 'manual' })).status).toBe(401);
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged');
    expect((await fetch(forged, { headers: { cookie: flow }, redirect: 'manual' })).status).toBe(401);
    expect((await fetch(callback, { headers: { cookie: flow }, redirect: 'manual' })).status).toBe(200);
    // The code was used: a replay fails at the provider.
    expect((await fetch(callback, { headers: { cookie: flow }, redirect: 'manual' })).status).toBe(401);
  });
});
