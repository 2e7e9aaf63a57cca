import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { createLogger, loadConfig } from '@radflow/config';
import type { ReviewAction } from '@radflow/worklist-core';
import { SessionTokens } from '../auth/sessions.ts';
import { hashPassword, LocalUsers, type WorklistUser } from '../auth/users.ts';
import type { WebAssets } from '../web-assets.ts';
import type { WorklistService } from '../worklist.service.ts';
import { WorklistHub } from '../worklist-hub.ts';
import { WorklistHttpModule } from './worklist-http.module.ts';

const ID = 'a'.repeat(32);
const KEY = '6f1c7f9e-8a51-4a8e-9d5e-2f0a3b1c4d5e';

/** The HTTP layer over a stub WorklistService: sign-in, validation, idempotency keys, status codes, headers. */
describe('worklist HTTP API', () => {
  let app: INestApplication;
  let base: string;
  let cookie: string;
  const reviews: { id: string; action: ReviewAction; user: WorklistUser; key: string }[] = [];
  let busDown = false;

  beforeAll(async () => {
    const users = new LocalUsers([
      {
        username: 'dr-a',
        name: 'Dr A',
        password: await hashPassword('a long password', { N: 1024, r: 8, p: 1 }),
      },
    ]);
    const worklist = {
      rows: async () => [],
      report: async (id: string) => (id === ID ? { row: { id } } : undefined),
      fhirResources: async () => ({ resources: [] }),
      review: async (id: string, action: ReviewAction, user: WorklistUser, key: string) => {
        if (id !== ID) return undefined;
        if (busDown) throw new Error('broker down');
        reviews.push({ id, action, user, key });
        return { feedbackId: key, state: action.kind === 'accept' ? 'accepted' : `${action.kind}ed` };
      },
    } as unknown as WorklistService;
    app = await NestFactory.create(
      WorklistHttpModule.forRoot({
        config: loadConfig({}).worklist,
        logger: createLogger('api-test', 'silent'),
        users,
        tokens: new SessionTokens('secret', 60_000),
        assets: { get: () => undefined } as unknown as WebAssets,
        worklist,
        hub: new WorklistHub(),
      }),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const signIn = await fetch(`${base}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'dr-a', password: 'a long password' }),
      redirect: 'manual',
    });
    expect(signIn.status).toBe(303);
    cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
  });

  afterAll(() => app?.close());

  const review = (body: unknown, headers: Record<string, string> = { 'idempotency-key': KEY }, id = ID) =>
    fetch(`${base}/api/reports/${id}/review`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('answers a signed-in user, with no-store and a strict content security policy', async () => {
    const me = await fetch(`${base}/api/me`, { headers: { cookie } });
    expect(await me.json()).toEqual({ username: 'dr-a', name: 'Dr A' });
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(me.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(me.headers.get('x-powered-by')).toBeNull();
    expect((await fetch(`${base}/api/reports/${ID}`, { headers: { cookie } })).status).toBe(200);
  });

  it('answers a signed-out API call 401 SIGN_IN_REQUIRED, and sends a signed-out page to the sign-in form', async () => {
    const api = await fetch(`${base}/api/worklist`);
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await api.json()).toMatchObject({ status: 401, code: 'SIGN_IN_REQUIRED', title: 'Unauthorized' });
    const page = await fetch(`${base}/`, { redirect: 'manual' });
    expect([page.status, page.headers.get('location')]).toEqual([303, '/login']);
  });

  it('refuses ids that are not opaque ids, and unknown ones, with 404', async () => {
    const notOpaque = await fetch(`${base}/api/reports/ACC1002`, { headers: { cookie } });
    expect(await notOpaque.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect((await fetch(`${base}/api/reports/${'b'.repeat(32)}`, { headers: { cookie } })).status).toBe(404);
    expect((await review({ action: 'accept' }, undefined, 'b'.repeat(32))).status).toBe(404);
  });

  it('needs an idempotency key and a valid action', async () => {
    expect((await review({ action: 'accept' }, {})).status).toBe(400);
    expect((await review({ action: 'accept' }, { 'idempotency-key': 'not-a-uuid' })).status).toBe(400);
    const bad = await review({ action: 'edit', impression: ' ' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await bad.json()).toEqual({
      type: 'https://radflow.dev/problems/EMPTY_EDIT',
      title: 'Bad Request',
      status: 400,
      detail: 'an edit needs the corrected impression',
      code: 'EMPTY_EDIT',
    });
    expect(reviews).toHaveLength(0);
  });

  it('passes the action, the signed-in user and the key on, and answers 202', async () => {
    const answer = await review({ action: 'reject', reason: 'wrong side' });
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ feedbackId: KEY, state: 'rejected' });
    expect(reviews.at(-1)).toEqual({
      id: ID,
      action: { kind: 'reject', reason: 'wrong side' },
      user: expect.objectContaining({ username: 'dr-a' }),
      key: KEY,
    });
  });

  it('answers 503 when the broker does not take the review', async () => {
    busDown = true;
    const answer = await review({ action: 'accept' });
    busDown = false;
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ status: 503, code: 'BUS_UNAVAILABLE' });
  });

  it('refuses a post from another origin', async () => {
    const crossOrigin = await review(
      { action: 'accept' },
      { 'idempotency-key': KEY, origin: 'https://evil.example' },
    );
    expect(crossOrigin.status).toBe(403);
    expect(await crossOrigin.json()).toMatchObject({ status: 403, code: 'CROSS_ORIGIN' });
  });
});
