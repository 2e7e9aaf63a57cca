import { getStatus, isOk, normalizeOperationOutcome, type WithId } from '@medplum/core';
import { FhirRouter, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildCapabilityStatement } from './capability.ts';
import { loadR4Definitions } from './definitions.ts';
import { readRequestBody, RequestBodyError } from './http-body.ts';
import { ValidatingMemoryRepository } from './repository.ts';
import { RequiredBindingChecker } from './terminology.ts';
import { R4Validator } from './validation.ts';

export interface FhirServerOptions {
  /** 0 picks a free port. Default 8103. */
  port?: number;
  host?: string;
  /** Default '/fhir/R4'. */
  basePath?: string;
  /** One line per request (method, path without query, status, ms) and errors. No bodies, no queries. */
  log?: (line: string) => void;
}

export interface RunningFhirServer {
  /** Base URL of the FHIR API, e.g. http://127.0.0.1:8103/fhir/R4 */
  readonly baseUrl: string;
  readonly port: number;
  readonly repo: ValidatingMemoryRepository;
  close(): Promise<void>;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
// Formatting parameters are answered by the HTTP layer; the search parser would reject them.
const HTTP_ONLY_PARAMS = ['_format', '_pretty'];

let sharedChecker: RequiredBindingChecker | undefined;

export async function startFhirServer(options: FhirServerOptions = {}): Promise<RunningFhirServer> {
  const host = options.host ?? '127.0.0.1';
  const basePath = (options.basePath ?? '/fhir/R4').replace(/\/+$/, '');
  const log = options.log ?? (() => undefined);

  const resourceTypes = loadR4Definitions();
  sharedChecker ??= new RequiredBindingChecker();
  const repo = new ValidatingMemoryRepository(new R4Validator(sharedChecker));
  const router = new FhirRouter();
  const exclusive = serializer();

  const server = createServer((req, res) => {
    const started = performance.now();
    handle(req, res)
      .catch((err: unknown) => {
        log(
          `ERROR ${req.method ?? '?'} ${pathOnly(req.url)}: ${err instanceof Error ? err.name : 'unknown error'}`,
        );
        if (!res.headersSent) send(res, 500, outcome('exception', 'Internal server error'), false);
        else res.destroy();
      })
      .finally(() => {
        log(
          `${req.method ?? '?'} ${pathOnly(req.url)} ${res.statusCode} ${Math.round(performance.now() - started)}ms`,
        );
      });
  });

  // Known once the port is bound (port 0 picks one).
  const endpoint: { baseUrl: string; capability?: Resource } = { baseUrl: '' };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pretty = url.searchParams.get('_pretty') === 'true';
    if (url.pathname !== basePath && !url.pathname.startsWith(basePath + '/')) {
      send(
        res,
        404,
        outcome('not-found', `Not a FHIR endpoint; the base URL is ${endpoint.baseUrl}`),
        pretty,
      );
      return;
    }
    const method = req.method ?? 'GET';
    if (!METHODS.has(method)) {
      send(res, 405, outcome('not-supported', `Method ${method} is not supported`), pretty);
      return;
    }
    const relative = url.pathname.slice(basePath.length).replace(/^\/+/, '');
    if (method === 'GET' && relative === 'metadata') {
      send(res, 200, endpoint.capability, pretty);
      return;
    }

    let body: unknown;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      try {
        body = await readRequestBody(req);
      } catch (err) {
        if (err instanceof RequestBodyError) {
          send(
            res,
            err.status,
            outcome(err.status === 415 ? 'not-supported' : 'invalid', err.message),
            pretty,
          );
          return;
        }
        throw err;
      }
      const isSearch = method === 'POST' && relative.endsWith('_search');
      if (body === undefined && !isSearch) {
        send(res, 400, outcome('invalid', 'Missing request body'), pretty);
        return;
      }
      if (!isSearch && (typeof body !== 'object' || body === null)) {
        send(res, 400, outcome('structure', 'Request body must be a JSON object or array'), pretty);
        return;
      }
    }

    for (const p of HTTP_ONLY_PARAMS) url.searchParams.delete(p);
    const fhirRequest: FhirRequest = {
      method: method as HttpMethod,
      url: relative + url.search,
      pathname: '',
      body,
      params: {},
      query: {},
      headers: req.headers,
      // Without this flag the router runs transaction Bundles with batch (non-atomic) semantics.
      config: { transactions: true },
    };
    const [result, resource] = await exclusive(() => router.handleRequest(fhirRequest, repo));
    const status = getStatus(result);
    if (!isOk(result) || !resource) {
      send(res, status, result, pretty);
      return;
    }
    setResourceHeaders(res, resource, status === 201 ? endpoint.baseUrl : undefined);
    const prefer = String(req.headers.prefer ?? '');
    if (/return=minimal/.test(prefer)) {
      send(res, status, undefined, pretty);
    } else if (/return=OperationOutcome/i.test(prefer)) {
      send(res, status, result, pretty);
    } else {
      send(
        res,
        status,
        decorate(resource, endpoint.baseUrl, `${endpoint.baseUrl}/${relative}${url.search}`),
        pretty,
      );
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8103, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}${basePath}`;
  endpoint.baseUrl = baseUrl;
  endpoint.capability = buildCapabilityStatement(baseUrl, resourceTypes, new Date().toISOString());

  return {
    baseUrl,
    port,
    repo,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/**
 * Runs one request at a time: the in-memory store is shared, and transaction rollback restores a
 * snapshot, which must not swallow another request's writes. Everything is in memory, so this costs
 * little throughput.
 */
function serializer(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

function setResourceHeaders(res: ServerResponse, resource: Resource, locationBase: string | undefined): void {
  const versionId = resource.meta?.versionId;
  if (versionId) res.setHeader('ETag', `W/"${versionId}"`);
  if (resource.meta?.lastUpdated)
    res.setHeader('Last-Modified', new Date(resource.meta.lastUpdated).toUTCString());
  if (locationBase && resource.id) {
    res.setHeader(
      'Location',
      `${locationBase}/${resource.resourceType}/${resource.id}${versionId ? `/_history/${versionId}` : ''}`,
    );
  }
}

/** Adds what the router leaves out of Bundles: fullUrl on entries, a self link, versioned locations. */
function decorate(resource: Resource, baseUrl: string, selfUrl: string): Resource {
  if (resource.resourceType !== 'Bundle') return resource;
  const bundle = resource as Bundle;
  const entry = bundle.entry?.map((e): BundleEntry => {
    const r = e.resource as WithId<Resource> | undefined;
    const hasId = r?.id !== undefined && r.resourceType !== 'OperationOutcome';
    const decorated: BundleEntry = {
      ...(hasId ? { fullUrl: `${baseUrl}/${r.resourceType}/${r.id}` } : {}),
      ...e,
    };
    if (e.response && hasId && r) {
      const vid = r.meta?.versionId;
      decorated.response = {
        ...e.response,
        location: `${r.resourceType}/${r.id}${vid ? `/_history/${vid}` : ''}`,
        ...(vid ? { etag: `W/"${vid}"` } : {}),
        ...(r.meta?.lastUpdated ? { lastModified: r.meta.lastUpdated } : {}),
      };
    }
    return decorated;
  });
  const out: Bundle = { ...bundle, ...(entry ? { entry } : {}) };
  if (bundle.type === 'searchset') {
    out.link = [
      { relation: 'self', url: selfUrl },
      ...pagingLinks(selfUrl, bundle.total, entry?.length ?? 0),
    ];
  }
  return out;
}

/** MemoryRepository honours _count/_offset but links no pages; clients such as fhir-kit-client follow `next`. */
function pagingLinks(
  selfUrl: string,
  total: number | undefined,
  returned: number,
): { relation: string; url: string }[] {
  const url = new URL(selfUrl);
  const count = Number(url.searchParams.get('_count') ?? NaN);
  const offset = Number(url.searchParams.get('_offset') ?? 0) || 0;
  if (!Number.isInteger(count) || count <= 0 || total === undefined) return [];
  const page = (at: number): string => {
    const u = new URL(selfUrl);
    u.searchParams.set('_offset', String(at));
    return u.toString();
  };
  const links: { relation: string; url: string }[] = [];
  if (offset > 0) links.push({ relation: 'previous', url: page(Math.max(0, offset - count)) });
  if (offset + returned < total) links.push({ relation: 'next', url: page(offset + count) });
  return links;
}

function outcome(code: string, text: string): OperationOutcome {
  return normalizeOperationOutcome({
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: code as 'invalid', details: { text } }],
  });
}

function send(res: ServerResponse, status: number, body: Resource | undefined, pretty: boolean): void {
  res.statusCode = status;
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', FHIR_JSON);
  res.end(pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body));
}

function pathOnly(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}
