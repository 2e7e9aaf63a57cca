import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticBearerAuth, type FhirAuth } from '../auth/fhir-auth.ts';
import { FhirClient } from './fhir-client.ts';
import { fhirFailureOf } from './fhir-failure-of.testing.ts';

/**
 * Fault injection: the real FHIR server cannot be made to answer 429, 503 or a proxy page on demand, so a local
 * HTTP server plays the faulty endpoint while the client talks HTTP to it.
 */
type Reply = (request: IncomingMessage, response: ServerResponse) => void;
let reply: Reply = (_request, response) => response.end();
let server: Server;
let baseUrl: string;
const requests: Array<{ method: string; url: string; authorization?: string; body: string }> = [];

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (_request, response) =>
    response
      .writeHead(status, { 'content-type': 'application/fhir+json', ...headers })
      .end(JSON.stringify(body));

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
        body,
      });
      reply(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir/R4`;
});
afterAll(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));

const client = (timeoutMs = 2_000) => new FhirClient({ baseUrl, timeoutMs });
const bundle = {
  resourceType: 'Bundle' as const,
  type: 'transaction' as const,
  entry: [{ request: { method: 'GET' as const, url: 'Patient/1' } }],
};

describe('FhirClient over HTTP', () => {
  it('posts a transaction as FHIR JSON to the base with the auth header, and returns the response', async () => {
    const response = {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: [{ response: { status: '200' } }],
    };
    reply = json(200, response);
    requests.length = 0;
    const authed = new FhirClient({
      baseUrl: `${baseUrl}/`,
      timeoutMs: 2_000,
      auth: staticBearerAuth('t0k'),
    });
    expect(await authed.transaction(bundle)).toEqual(response);
    expect(requests).toEqual([
      { method: 'POST', url: '/fhir/R4/', authorization: 'Bearer t0k', body: JSON.stringify(bundle) },
    ]);
  });

  it('renews the token once when the server answers 401, and sends a body too large for a keepalive request', async () => {
    const tokens = ['old', 'new'];
    const renewable: FhirAuth = {
      scheme: 'smart-backend',
      headers: () => Promise.resolve({ authorization: `Bearer ${tokens[0]}` }),
      rejected: () => (tokens.shift(), true),
    };
    const large = { ...bundle, entry: [{ ...bundle.entry[0], fullUrl: `urn:uuid:${'x'.repeat(100_000)}` }] };
    const response = {
      resourceType: 'Bundle',
      type: 'batch-response',
      entry: [{ response: { status: '200' } }],
    };
    reply = (request, answer) =>
      request.headers.authorization === 'Bearer new'
        ? json(200, response)(request, answer)
        : json(401, {})(request, answer);
    requests.length = 0;
    const client = new FhirClient({ baseUrl, timeoutMs: 2_000, auth: renewable });
    expect(await client.batch(large)).toEqual(response);
    expect(requests.map((r) => [r.authorization, r.body.length])).toEqual([
      ['Bearer old', JSON.stringify(large).length],
      ['Bearer new', JSON.stringify(large).length],
    ]);
  });

  it('retries server errors and throttling, with the Retry-After the server sent', async () => {
    for (const status of [500, 502, 503, 504, 429]) {
      reply = json(
        status,
        { resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] },
        { 'retry-after': '9' },
      );
      expect(await fhirFailureOf(client().transaction(bundle)), `HTTP ${status}`).toMatchObject({
        code: status === 429 ? 'FHIR_THROTTLED' : `FHIR_HTTP_${status}`,
        transient: true,
        status,
        retryAfterSeconds: 9,
      });
    }
  });

  it('calls a refused resource permanent, with the OperationOutcome', async () => {
    reply = json(400, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'invariant', details: { text: 'bad "valueFoo"' } }],
    });
    const refused = await fhirFailureOf(client().transaction(bundle));
    expect(refused).toMatchObject({ code: 'FHIR_REJECTED', permanent: true, status: 400 });
    expect(refused.message).toBe('FHIR transaction failed with HTTP 400: error invariant: bad "valueFoo"');
  });

  it('enforces the deadline (the real server answers too fast to test it there), also on an answer whose body is slow to come', async () => {
    reply = (_request, response) => void setTimeout(() => response.end('{}'), 1_500);
    const started = performance.now();
    const late = await fhirFailureOf(client(200).search('Task?_count=1'));
    expect(late).toMatchObject({ code: 'FHIR_TIMEOUT', transient: true, status: undefined });
    expect(late.message).toBe('FHIR search timed out after 200 ms');
    expect(performance.now() - started).toBeLessThan(1_400);
    reply = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/fhir+json' }).write('{"resourceType":');
      setTimeout(() => response.end('"Bundle"}'), 1_500);
    };
    expect(await fhirFailureOf(client(200).search('Task?_count=1'))).toMatchObject({ code: 'FHIR_TIMEOUT' });
  });

  it('calls an unreachable server transient', async () => {
    const closed = new FhirClient({ baseUrl: 'http://127.0.0.1:9/fhir/R4', timeoutMs: 2_000 });
    expect(await fhirFailureOf(closed.batch(bundle))).toMatchObject({
      code: 'FHIR_UNREACHABLE',
      transient: true,
    });
  });

  it('calls a 2xx that is not what was asked for transient: a proxy page, a short response, another resource', async () => {
    reply = (_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
    expect(await fhirFailureOf(client().search('Task'))).toMatchObject({
      code: 'FHIR_BAD_RESPONSE',
      transient: true,
    });
    reply = json(200, { resourceType: 'Bundle', type: 'transaction-response', entry: [] });
    expect(await fhirFailureOf(client().transaction(bundle))).toMatchObject({ code: 'FHIR_BAD_RESPONSE' });
    reply = json(200, { resourceType: 'OperationOutcome' });
    expect(await fhirFailureOf(client().search('Task'))).toMatchObject({ code: 'FHIR_BAD_RESPONSE' });
    reply = json(200, { resourceType: 'Patient', id: 'p' });
    expect(await fhirFailureOf(client().read('Task', 'p'))).toMatchObject({ code: 'FHIR_BAD_RESPONSE' });
  });
});
