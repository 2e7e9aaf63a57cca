import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, repoRoot } from '@radflow/config';
import { gatewayApp } from '@radflow/gateway';
import { startHost, type RunningHost } from '@radflow/platform';
import { retrainerApp } from '@radflow/retrainer';
import { inferenceApp } from '../../apps/inference/src/inference.app.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';

/**
 * Issue 17, authenticated APIs: the gateway, inference and feedback HTTP APIs of one host (the embedded layout)
 * checked against a real JWKS endpoint this test serves (node:http, the public keys of key pairs made here), with a
 * static service key beside the JWTs and scopes required. Unauthenticated, wrongly signed, expired, mis-addressed
 * and under-scoped calls are refused; good ones answer 2xx; bodies over HTTP_MAX_BODY_BYTES get 413.
 */
const ISSUER = 'https://idp.radflow.test/realms/hospital';
const AUDIENCE = 'radflow-api';
const serviceKey = randomBytes(24).toString('hex');
const runTag = randomUUID().slice(0, 8);

type Signer = { kid: string; alg: 'RS256' | 'ES384'; privateKey: CryptoKey };
let rsa: Signer;
let ec: Signer;
let forger: Signer;
let jwksServer: Server;
let jwksRequests = 0;
let host: RunningHost;
let base: string;

async function keyPair(kid: string, alg: Signer['alg']) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { signer: { kid, alg, privateKey }, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

function jwt(by: Signer, scope: string, { audience = AUDIENCE, expiresIn = '5m' as string | number } = {}) {
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: by.alg, kid: by.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setSubject('mirth-channel-7')
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(by.privateKey);
}

const ALL_SCOPES = 'radflow.gateway radflow.inference radflow.feedback';

beforeAll(async () => {
  const [r, e, f] = await Promise.all([
    keyPair('rsa-1', 'RS256'),
    keyPair('ec-1', 'ES384'),
    // Publishes nothing: signs under rsa-1's kid with a key the issuer never had.
    keyPair('rsa-1', 'RS256'),
  ]);
  [rsa, ec, forger] = [r.signer, e.signer, f.signer];
  const jwks: JSONWebKeySet = { keys: [r.jwk, e.jwk] as JSONWebKeySet['keys'] };
  jwksServer = createServer((request, response) => {
    jwksRequests++;
    if (request.url !== '/realms/hospital/protocol/openid-connect/certs')
      return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const jwksPort = (jwksServer.address() as { port: number }).port;

  const config = loadConfig({
    ...process.env,
    KAFKA_GROUP_PREFIX: `e2e-auth-${runTag}`,
    KAFKA_START_FROM: 'latest',
    GATEWAY_HTTP_PORT: '0',
    GATEWAY_MLLP_PORT: '0',
    MODEL_DIR: `${repoRoot}models/tiny-random`,
    LOG_LEVEL: 'warn',
    API_JWT_JWKS_URL: `http://127.0.0.1:${jwksPort}/realms/hospital/protocol/openid-connect/certs`,
    API_JWT_ISSUER: ISSUER,
    API_JWT_AUDIENCE: AUDIENCE,
    API_KEYS: serviceKey,
    API_REQUIRE_SCOPES: 'true',
  });
  expect(config.api.maxBodyBytes).toBe(1_048_576);
  host = await startHost([gatewayApp, inferenceApp, retrainerApp], config, { processName: 'e2e-auth' });
  base = `http://127.0.0.1:${host.httpPort}`;
}, 180_000);

afterAll(async () => {
  await host?.close();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

const hl7 = () => uniqueHl7Sample('05-ct-head-not-cxr.hl7', runTag).bytes;
const feedback = () => ({
  feedbackId: randomUUID(),
  accession: `AUTH-${runTag}`,
  reviewerId: 'e2e-auth-reviewer',
  outputs: [{ output: 'priority', verdict: 'accept' }],
});

/** One call to each API, with the given Authorization header (or none). */
async function callEach(authorization?: string) {
  const auth: Record<string, string> = authorization ? { authorization } : {};
  const [gateway, inference, feedbackApi] = await Promise.all([
    fetch(`${base}/v1/hl7`, {
      method: 'POST',
      headers: { 'content-type': 'x-application/hl7-v2+er7', ...auth },
      body: hl7(),
    }),
    fetch(`${base}/inference/v1/tasks/impression`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ findings: 'Small left pleural effusion.', maxNewTokens: 4 }),
    }),
    fetch(`${base}/v1/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(feedback()),
    }),
  ]);
  return {
    gateway: {
      status: gateway.status,
      challenge: gateway.headers.get('www-authenticate'),
      contentType: gateway.headers.get('content-type'),
      body: await gateway.text(),
    },
    inference: {
      status: inference.status,
      challenge: inference.headers.get('www-authenticate'),
      contentType: inference.headers.get('content-type'),
      body: (await inference.json()) as { code?: string },
    },
    feedback: {
      status: feedbackApi.status,
      challenge: feedbackApi.headers.get('www-authenticate'),
      contentType: feedbackApi.headers.get('content-type'),
      body: (await feedbackApi.json()) as { code?: string },
    },
  };
}

describe('HTTP API authentication (JWT against a JWKS endpoint, API keys beside)', () => {
  it('leaves health probes and the Prometheus scrape open', async () => {
    for (const path of ['/health', '/inference/health', '/inference/ready', '/metrics'])
      expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 200]);
  });

  it('refuses unauthenticated calls with 401, a Bearer challenge and one problem body (RFC 9457) on every API', async () => {
    const answers = await callEach();
    for (const answer of Object.values(answers)) {
      expect(answer.status).toBe(401);
      expect(answer.challenge).toBe('Bearer realm="radflow"');
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
    }
    const problem = {
      type: 'https://radflow.dev/problems/MISSING_TOKEN',
      title: 'Unauthorized',
      status: 401,
      detail: 'bearer token required',
      code: 'MISSING_TOKEN',
    };
    expect(JSON.parse(answers.gateway.body)).toMatchObject(problem);
    expect(answers.inference.body).toMatchObject(problem);
    expect(answers.feedback.body).toMatchObject(problem);
  });

  it("answers a refused caller at the gateway's FHIR endpoints with an OperationOutcome", async () => {
    const response = await fetch(`${base}/fhir/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'history', entry: [] }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(await response.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'login', details: { text: 'MISSING_TOKEN: bearer token required' } },
      ],
    });
  });

  it('refuses a token signed by a key the issuer never published, with invalid_token', async () => {
    const answers = await callEach(`Bearer ${await jwt(forger, ALL_SCOPES)}`);
    for (const answer of Object.values(answers)) {
      expect(answer.status).toBe(401);
      expect(answer.challenge).toMatch(/^Bearer realm="radflow", error="invalid_token"/);
    }
    expect(answers.inference.body.code).toBe('INVALID_SIGNATURE');
    expect(answers.feedback.body.code).toBe('INVALID_SIGNATURE');
  });

  it('refuses an expired token, one for another audience, and an unknown API key', async () => {
    const expired = await callEach(
      `Bearer ${await jwt(rsa, ALL_SCOPES, { expiresIn: Math.floor(Date.now() / 1000) - 600 })}`,
    );
    expect(expired.inference).toMatchObject({ status: 401, body: { code: 'EXPIRED' } });
    const elsewhere = await callEach(`Bearer ${await jwt(ec, ALL_SCOPES, { audience: 'pacs-api' })}`);
    expect(elsewhere.feedback).toMatchObject({ status: 401, body: { code: 'WRONG_AUDIENCE' } });
    const guessed = await callEach(`Bearer ${randomBytes(24).toString('hex')}`);
    expect(guessed.gateway.status).toBe(401);
    expect(guessed.inference.body.code).toBe('UNKNOWN_API_KEY');
  });

  it('accepts a good RS256 or ES384 token: the HL7 is ACKed, the model answers, the feedback is taken', async () => {
    for (const signer of [rsa, ec]) {
      const answers = await callEach(`Bearer ${await jwt(signer, ALL_SCOPES)}`);
      expect(answers.gateway.status).toBe(200);
      expect(answers.gateway.body).toContain('MSA|AA|');
      expect(answers.inference.status).toBe(200);
      expect(answers.feedback).toMatchObject({ status: 202, body: { status: 'accepted' } });
    }
    expect(jwksRequests).toBeGreaterThanOrEqual(1);
  });

  it('answers 403 insufficient_scope to a valid token without the API scope; the service key holds every scope', async () => {
    const inferenceOnly = await callEach(`Bearer ${await jwt(ec, 'radflow.inference')}`);
    expect(inferenceOnly.inference.status).toBe(200);
    expect(inferenceOnly.gateway.status).toBe(403);
    expect(JSON.parse(inferenceOnly.gateway.body)).toMatchObject({ status: 403, code: 'INSUFFICIENT_SCOPE' });
    expect(inferenceOnly.feedback).toMatchObject({ status: 403, body: { code: 'INSUFFICIENT_SCOPE' } });
    expect(inferenceOnly.feedback.challenge).toContain('error="insufficient_scope", ');
    expect(inferenceOnly.feedback.challenge).toContain('scope="radflow.feedback"');
    const service = await callEach(`Bearer ${serviceKey}`);
    expect([service.gateway.status, service.inference.status, service.feedback.status]).toEqual([
      200, 200, 202,
    ]);
  });

  it('answers 413 to an authenticated body over HTTP_MAX_BODY_BYTES (1 MiB) on every API', async () => {
    const authorization = `Bearer ${await jwt(rsa, ALL_SCOPES)}`;
    const huge = JSON.stringify({ findings: 'x'.repeat(1_048_576 + 1024) });
    for (const path of ['/inference/v1/tasks/impression', '/v1/feedback']) {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: huge,
      });
      expect([path, response.status]).toEqual([path, 413]);
      expect(await response.json()).toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
        detail: expect.stringMatching(/HTTP_MAX_BODY_BYTES/),
      });
    }
    // Sent in chunks without a Content-Length: the JSON parser stops it at the same limit.
    const chunked = await fetch(`${base}/inference/v1/tasks/impression`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: new Blob([huge]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // The gateway keeps its own limit (INGEST_MAX_MESSAGE_BYTES, also 1 MiB): 413 and the body dead-lettered.
    const gateway = await fetch(`${base}/v1/fhir`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization },
      body: huge,
    });
    expect(gateway.status).toBe(413);
  });
});
