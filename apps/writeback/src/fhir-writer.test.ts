import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPermanent, isTransient } from '@radflow/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirWriter } from './fhir-writer.ts';

/**
 * What the Kafka boundary makes of the writer's failures (the classification itself is libs/fhir's, tested there):
 * a local HTTP server plays the faulty endpoint, since the real FHIR server cannot answer 503 on demand.
 */
type Reply = (request: IncomingMessage, response: ServerResponse) => void;
let reply: Reply = (_request, response) => response.end();
let server: Server;
let baseUrl: string;

const json =
  (status: number, body: unknown): Reply =>
  (_request, response) =>
    response.writeHead(status, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(body));

beforeAll(async () => {
  server = createServer((request, response) => reply(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir/R4`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const writer = (timeoutMs = 2_000) => new FhirWriter({ baseUrl, timeoutMs });
const bundle = {
  resourceType: 'Bundle' as const,
  type: 'transaction' as const,
  entry: [{ request: { method: 'GET' as const, url: 'Patient/1' } }],
};

async function failure(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => expect.fail('expected a failure'),
    (error: unknown) => error,
  );
}

describe('FhirWriter failures at the Kafka boundary', () => {
  it('has server errors, throttling, conflicts and timeouts retried', async () => {
    for (const status of [500, 503, 429, 409, 401]) {
      reply = json(status, { resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
      const error = await failure(writer().transaction(bundle));
      expect(isTransient(error), `HTTP ${status}`).toBe(true);
      expect(isPermanent(error), `HTTP ${status}`).toBe(false);
    }
    reply = (_request, response) => void setTimeout(() => response.end('{}'), 1_500);
    const late = await failure(writer(200).search('DiagnosticReport?_count=1'));
    expect(late).toMatchObject({ code: 'FHIR_TIMEOUT' });
    expect(isTransient(late)).toBe(true);
  });

  it('has a rejected resource dead-lettered with the OperationOutcome diagnostics', async () => {
    reply = json(400, {
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'invariant', details: { text: 'Invalid additional property "valueFoo"' } },
      ],
    });
    const error = await failure(writer().transaction(bundle));
    expect(isPermanent(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'FHIR_REJECTED',
      message:
        'FHIR transaction failed with HTTP 400: error invariant: Invalid additional property "valueFoo"',
    });
  });

  it('returns the resources of a search page, includes too', async () => {
    reply = json(200, {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: { resourceType: 'Task', id: 't' } }, {}],
    });
    expect(await writer().search('DiagnosticReport?_revinclude=Task:focus')).toEqual([
      { resourceType: 'Task', id: 't' },
    ]);
  });
});
