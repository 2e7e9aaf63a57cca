import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirError } from '@radflow/fhir';
import { FhirReportFetcher, REPORT_INCLUDES, refusalOf, reportIdOf } from './fhir-report-fetcher.ts';

describe('reportIdOf', () => {
  it.each([
    ['DiagnosticReport/dr-25', 'dr-25'],
    ['https://ehr.example/fhir/DiagnosticReport/dr-25', 'dr-25'],
    ['https://ehr.example/fhir/DiagnosticReport/dr-25/_history/3', 'dr-25'],
    ['DiagnosticReport/a1b2.C3/', 'a1b2.C3'],
  ])('%s → %s', (reference, id) => expect(reportIdOf(reference)).toBe(id));

  it.each([
    'Observation/o-1',
    'DiagnosticReport/',
    'DiagnosticReport/bad id',
    'DiagnosticReport/x?_include=*',
    '',
  ])('refuses %j: a permanent refusal, dead-lettered as FHIR_REFERENCE_INVALID', async (reference) => {
    expect(reportIdOf(reference)).toBeUndefined();
    const error = await failure(fetcher().fetch(reference));
    expect(error).toBeInstanceOf(FhirError);
    expect(refusalOf(error)).toMatchObject({
      code: 'FHIR_REFERENCE_INVALID',
      transient: false,
      httpStatus: 422,
    });
  });
});

/** A stand-in FHIR server whose answers each test chooses: the real client talks HTTP to it. */
let server: Server;
let baseUrl: string;
let answer: (request: IncomingMessage, response: ServerResponse) => void;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(request.url ?? '');
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/fhir/R4`;
});
afterAll(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));

const json = (status: number, body: unknown) => (_: IncomingMessage, response: ServerResponse) =>
  response.writeHead(status, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(body));
const fetcher = (timeoutMs = 2000, bearerToken?: string) =>
  new FhirReportFetcher({ baseUrl, timeoutMs, ...(bearerToken ? { bearerToken } : {}) });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('FhirReportFetcher', () => {
  it('searches the configured server by id with the includes ingest needs, and returns the Bundle', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        {
          search: { mode: 'match' },
          resource: { resourceType: 'DiagnosticReport', id: 'dr-25', status: 'final' },
        },
        { search: { mode: 'include' }, resource: { resourceType: 'Patient', id: 'p-1' } },
      ],
    };
    answer = json(200, bundle);
    seen.length = 0;
    const bytes = await fetcher().fetch('https://elsewhere.example/fhir/DiagnosticReport/dr-25/_history/2');
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(bundle);
    const url = new URL(seen[0]!, 'http://x');
    expect(url.pathname).toBe('/fhir/R4/DiagnosticReport');
    expect(url.searchParams.get('_id')).toBe('dr-25');
    expect(url.searchParams.getAll('_include')).toEqual(REPORT_INCLUDES);
  });

  it('sends the configured bearer token', async () => {
    let authorization: string | undefined;
    answer = (request, response) => {
      authorization = request.headers.authorization;
      json(200, { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'DiagnosticReport' } }] })(
        request,
        response,
      );
    };
    await fetcher(2000, 'secret-token').fetch('DiagnosticReport/x');
    expect(authorization).toBe('Bearer secret-token');
  });

  it('calls an empty search (or 404/410) not found: permanent, for the dead-letter topic', async () => {
    answer = json(200, { resourceType: 'Bundle', type: 'searchset', entry: [] });
    expect(refusalOf(await failure(fetcher().fetch('DiagnosticReport/gone')))).toMatchObject({
      code: 'FHIR_REFERENCE_NOT_FOUND',
      transient: false,
      httpStatus: 422,
    });
    answer = json(410, { resourceType: 'OperationOutcome', issue: [] });
    expect(refusalOf(await failure(fetcher().fetch('DiagnosticReport/gone')))).toMatchObject({
      code: 'FHIR_REFERENCE_NOT_FOUND',
      transient: false,
    });
  });

  it('calls another refusal (400) permanent too: a resend of the same notification cannot help', async () => {
    answer = json(400, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'not-supported' }],
    });
    expect(refusalOf(await failure(fetcher().fetch('DiagnosticReport/x')))).toMatchObject({
      code: 'FHIR_REJECTED',
      transient: false,
      httpStatus: 422,
      reason: 'FHIR search failed with HTTP 400: error not-supported: ',
    });
  });

  it.each([500, 503, 429, 401, 403])(
    'calls HTTP %i transient: the sender must retry (503)',
    async (status) => {
      answer = json(status, {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'exception' }],
      });
      expect(refusalOf(await failure(fetcher().fetch('DiagnosticReport/x')))).toEqual({
        code: 'FHIR_FETCH_FAILED',
        transient: true,
        httpStatus: 503,
        reason: `FHIR search failed with HTTP ${status}: error exception: `,
      });
    },
  );

  it('passes on how long the FHIR server asked to wait', async () => {
    answer = (_, response) =>
      response.writeHead(503, { 'retry-after': '120', 'content-type': 'text/plain' }).end('maintenance');
    expect(refusalOf(await failure(fetcher().fetch('DiagnosticReport/x')))).toMatchObject({
      code: 'FHIR_FETCH_FAILED',
      httpStatus: 503,
      retryAfterSeconds: 120,
    });
  });

  it('calls a timeout, a non-JSON body and a non-Bundle answer transient', async () => {
    answer = () => undefined; // never answers
    expect(refusalOf(await failure(fetcher(300).fetch('DiagnosticReport/x')))).toMatchObject({
      reason: 'FHIR search timed out after 300 ms',
      transient: true,
    });
    answer = (_, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy login</html>');
    expect(refusalOf(await failure(fetcher().fetch('DiagnosticReport/x')))).toMatchObject({
      code: 'FHIR_FETCH_FAILED',
      transient: true,
    });
    answer = json(200, { resourceType: 'OperationOutcome' });
    expect(refusalOf(await failure(fetcher().fetch('DiagnosticReport/x')))).toMatchObject({
      code: 'FHIR_FETCH_FAILED',
      transient: true,
    });
  });

  it('calls an unreachable server transient', async () => {
    const closed = new FhirReportFetcher({ baseUrl: 'http://127.0.0.1:1/fhir/R4', timeoutMs: 2000 });
    expect(refusalOf(await failure(closed.fetch('DiagnosticReport/x')))).toMatchObject({
      reason: 'FHIR server unreachable',
      transient: true,
    });
  });

  it('calls a failure to get a token transient, named by its code', () => {
    const noToken = Object.assign(new Error('token endpoint down'), { code: 'SMART_TOKEN_UNREACHABLE' });
    expect(refusalOf(noToken)).toEqual({
      code: 'FHIR_FETCH_FAILED',
      reason: 'no FHIR access token (SMART_TOKEN_UNREACHABLE)',
      transient: true,
      httpStatus: 503,
    });
  });
});
