import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermanentError, TransientError } from '@radflow/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOperationOutcome } from './fhir-failure.ts';
import { FhirWriter } from './fhir-writer.ts';

/**
 * Fault injection for the failure classification: the real FHIR server cannot be made to answer 429 or 503
 * on demand, so a local HTTP server plays the faulty endpoint while the real fhir-kit-client talks to it.
 */
type Reply = (request: IncomingMessage, response: ServerResponse) => void;
let reply: Reply = (_request, response) => response.end();
let server: Server;
let baseUrl: string;

const json =
  (status: number, body: unknown): Reply =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/fhir+json' });
    response.end(JSON.stringify(body));
  };

const outcome = (text: string, expression = 'Observation.valueQuantity') => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'invariant', details: { text }, expression: [expression] }],
});

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

async function failure(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('FhirWriter failure classification', () => {
  it('retries server errors and throttling', async () => {
    for (const status of [500, 502, 503, 504, 429]) {
      reply = json(status, outcome('busy'));
      const error = await failure(writer().transaction(bundle));
      expect(error, `HTTP ${status}`).toBeInstanceOf(TransientError);
      expect((error as TransientError).code).toBe(status === 429 ? 'FHIR_THROTTLED' : `FHIR_HTTP_${status}`);
    }
  });

  it('dead-letters a rejected resource with the OperationOutcome diagnostics', async () => {
    reply = json(400, outcome('Invalid additional property "valueFoo"'));
    const error = await failure(writer().transaction(bundle));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('FHIR_REJECTED');
    expect(error.message).toBe(
      'FHIR transaction failed with HTTP 400: error invariant: Invalid additional property "valueFoo" at Observation.valueQuantity',
    );
  });

  it('retries conflicts and expired credentials instead of dead-lettering every message', async () => {
    for (const status of [401, 403, 409, 412]) {
      reply = json(status, outcome('conflict'));
      expect(await failure(writer().transaction(bundle)), `HTTP ${status}`).toBeInstanceOf(TransientError);
    }
  });

  it('retries when the server does not answer in time', async () => {
    reply = (_request, response) => void setTimeout(() => response.end('{}'), 1_500);
    const error = await failure(writer(200).search('DiagnosticReport?_count=1'));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('FHIR_TIMEOUT');
  });

  it('retries when the server is unreachable', async () => {
    const closed = new FhirWriter({
      baseUrl: 'http://127.0.0.1:9/fhir/R4',
      timeoutMs: 2_000,
    });
    const error = await failure(closed.transaction(bundle));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('FHIR_UNREACHABLE');
  });

  it('retries a 200 that is not the transaction-response it asked for', async () => {
    reply = json(200, { resourceType: 'Bundle', type: 'transaction-response', entry: [] });
    expect(await failure(writer().transaction(bundle))).toBeInstanceOf(TransientError);
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

describe('describeOperationOutcome', () => {
  it('keeps element names but drops echoed values, which may be PHI', () => {
    const text = describeOperationOutcome(
      outcome('Invalid value "John Smith, MRN 12345" for "Patient.name"', 'Patient.name[0]'),
    );
    expect(text).toBe('error invariant: Invalid value "…" for "Patient.name" at Patient.name[0]');
  });

  it('returns nothing for a body that is not an OperationOutcome', () => {
    expect(describeOperationOutcome('<html>bad gateway</html>')).toBeUndefined();
  });
});
