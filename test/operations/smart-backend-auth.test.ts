import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeProtectedHeader,
  exportPKCS8,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnosticReport } from '@medplum/fhirtypes';
import { createLogger, loadConfig, type RadflowConfig } from '@radflow/config';
import { FhirPriorLookup } from '@radflow/enricher';
import { isTransient, Topics, type RecordOutput } from '@radflow/events';
import {
  CLIENT_ASSERTION_TYPE,
  SmartAuthError,
  WRITEBACK_KEY_TAG_SYSTEM,
  buildWritebackBundle,
  writebackKey,
} from '@radflow/fhir';
import { FhirReportFetcher } from '@radflow/gateway';
import { DEFAULT_CHEST_XRAY_POLICY } from '@radflow/reports';
import { openDatabase } from '@radflow/store';
import { FhirWriter, WritebackService } from '@radflow/writeback';
import { FhirResourceLookup } from '../../apps/worklist/src/fhir-resources.ts';
import { FhirProbe, enrichedEvent, enrichedReport, newRun, token } from '../writeback/writeback-harness.ts';

// SMART Backend Services end to end: a token endpoint started here (it checks each client assertion against the
// registered public key: iss = sub = client id, aud = its URL, exp, a jti never seen before) issues 3-second access
// tokens; an authenticating reverse proxy in front of the real local FHIR server lets through only calls bearing a
// live token. radflow's own FHIR clients (writeback writer and app, gateway fetcher, enricher prior lookup, worklist
// lookup) are configured with FHIR_AUTH=smart-backend and the proxy as FHIR_BASE_URL, nothing else.

const CLIENT_ID = 'radflow-e2e';
const KEY_ID = 'radflow-e2e-key-1';
const TOKEN_LIFETIME_S = 3;
const upstream = new URL(loadConfig().fhir.baseUrl); // the real local FHIR server
const run = newRun();
const patientKey = createHash('sha256').update(run).digest('hex').slice(0, 32);
const dir = mkdtempSync(join(tmpdir(), 'radflow-smart-'));

interface Issued {
  token: string;
  expiresAt: number;
  jti: string;
  scope: string;
}

/** The authorization server: client registry of one client, its public key, the jtis it has seen. */
class TokenEndpoint {
  server!: Server;
  url = '';
  readonly issued: Issued[] = [];
  readonly rejections: string[] = [];
  readonly assertions: string[] = [];
  private readonly jtis = new Set<string>();
  private readonly live = new Map<string, number>();

  constructor(private readonly publicKey: CryptoKey) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth2/token`;
  }

  /** Whether a bearer token was issued here and has not expired or been revoked. */
  accepts(accessToken: string): boolean {
    return (this.live.get(accessToken) ?? 0) > Date.now();
  }

  revokeAll(): void {
    this.live.clear();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await body(request)).toString('utf8'));
    const refuse = (status: number, error: string, description: string) => {
      this.rejections.push(description);
      send(response, status, { error, error_description: description });
    };
    if (request.method !== 'POST' || request.url !== '/oauth2/token')
      return refuse(404, 'invalid_request', 'not the token endpoint');
    if (form.get('grant_type') !== 'client_credentials')
      return refuse(400, 'unsupported_grant_type', 'client_credentials only');
    if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE)
      return refuse(400, 'invalid_request', 'a jwt-bearer client assertion is required');
    const assertion = form.get('client_assertion') ?? '';
    this.assertions.push(assertion);
    let claims: JWTPayload;
    try {
      const header = decodeProtectedHeader(assertion);
      if (header.kid !== KEY_ID) throw new Error(`unknown kid ${String(header.kid)}`);
      ({ payload: claims } = await jwtVerify(assertion, this.publicKey, {
        algorithms: ['RS384', 'ES384'],
        issuer: CLIENT_ID,
        subject: CLIENT_ID,
        audience: this.url,
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (error) {
      return refuse(401, 'invalid_client', `client assertion rejected: ${(error as Error).message}`);
    }
    if (claims.exp! - Date.now() / 1000 > 300)
      return refuse(401, 'invalid_client', 'client assertion expires more than 5 minutes out');
    if (this.jtis.has(claims.jti!)) return refuse(401, 'invalid_client', 'client assertion jti reused');
    this.jtis.add(claims.jti!);
    const accessToken = randomUUID();
    const expiresAt = Date.now() + TOKEN_LIFETIME_S * 1000;
    this.live.set(accessToken, expiresAt);
    const scope = form.get('scope') ?? '';
    this.issued.push({ token: accessToken, expiresAt, jti: claims.jti!, scope });
    send(response, 200, {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: TOKEN_LIFETIME_S,
      scope,
    });
  }
}

interface Forwarded {
  method: string;
  path: string;
  token: string | undefined;
  status: number;
}

/** The FHIR server as the EHR exposes it: SMART discovery, then only calls with a live access token pass. */
class AuthenticatingProxy {
  server!: Server;
  baseUrl = '';
  readonly calls: Forwarded[] = [];

  constructor(private readonly tokens: TokenEndpoint) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${upstream.pathname}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = request.url ?? '/';
    if (path === `${upstream.pathname}/.well-known/smart-configuration`) {
      return send(response, 200, {
        token_endpoint: this.tokens.url,
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
        grant_types_supported: ['client_credentials'],
        capabilities: ['client-confidential-asymmetric'],
      });
    }
    const accessToken = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const call = { method: request.method ?? 'GET', path, token: accessToken, status: 0 };
    this.calls.push(call);
    const requestBody = await body(request);
    if (!accessToken || !this.tokens.accepts(accessToken)) {
      call.status = 401;
      response.writeHead(401, {
        'content-type': 'application/fhir+json',
        'www-authenticate': 'Bearer error="invalid_token"',
      });
      response.end(
        JSON.stringify({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'login', diagnostics: 'a live access token is required' }],
        }),
      );
      return;
    }
    const headers = new Headers();
    for (const name of ['accept', 'content-type', 'prefer', 'if-none-exist', 'if-match']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers.set(name, value);
    }
    const answer = await fetch(`${upstream.origin}${path}`, {
      method: call.method,
      headers,
      ...(requestBody.length > 0 ? { body: requestBody } : {}),
    });
    call.status = answer.status;
    const out: Record<string, string> = {};
    for (const name of ['content-type', 'location', 'etag', 'last-modified']) {
      const value = answer.headers.get(name);
      if (value) out[name] = value;
    }
    response.writeHead(answer.status, out);
    response.end(Buffer.from(await answer.arrayBuffer()));
  }
}

function body(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, json: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(json));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let tokens: TokenEndpoint;
let proxy: AuthenticatingProxy;
let goodKeyFile = '';
let wrongKeyFile = '';

/** radflow's configuration as an operator would set it: the proxy as the FHIR server, SMART credentials. */
function smartConfig(keyFile: string): RadflowConfig {
  return loadConfig({
    ...process.env,
    FHIR_BASE_URL: proxy.baseUrl,
    FHIR_AUTH: 'smart-backend',
    FHIR_SMART_CLIENT_ID: CLIENT_ID,
    FHIR_SMART_PRIVATE_KEY_FILE: keyFile,
    FHIR_SMART_KEY_ID: KEY_ID,
    FHIR_SMART_SCOPE: 'system/*.rs system/DiagnosticReport.cu system/Observation.cu system/Task.cu',
    FHIR_SMART_REFRESH_MARGIN_SECONDS: '1',
    FHIR_TIMEOUT_MS: '10000',
    LOG_LEVEL: 'warn',
  });
}

beforeAll(async () => {
  const good = await generateKeyPair('RS384', { extractable: true });
  const wrong = await generateKeyPair('RS384', { extractable: true });
  goodKeyFile = join(dir, 'radflow-e2e.pem');
  wrongKeyFile = join(dir, 'someone-else.pem');
  writeFileSync(goodKeyFile, await exportPKCS8(good.privateKey), { mode: 0o600 });
  writeFileSync(wrongKeyFile, await exportPKCS8(wrong.privateKey), { mode: 0o600 });
  tokens = new TokenEndpoint(good.publicKey);
  await tokens.start();
  proxy = new AuthenticatingProxy(tokens);
  await proxy.start();
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.server.close(resolve));
  await new Promise((resolve) => tokens?.server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('SMART Backend Services against a local token endpoint and an authenticating FHIR proxy', () => {
  const config = () => smartConfig(goodKeyFile);
  const enriched = enrichedReport(run, { index: 1, patient: { key: patientKey } });
  let aiReportId = '';

  it('refuses calls without a token at the proxy (the check the rest relies on)', async () => {
    const response = await fetch(`${proxy.baseUrl}/DiagnosticReport?_count=1`);
    expect(response.status).toBe(401);
  });

  it("writes the writeback's transaction and reads it back through the gateway, worklist and enricher clients", async () => {
    const settings = config().fhir;
    expect(settings.auth.kind).toBe('smart-backend');
    const writer = new FhirWriter(settings);
    const response = await writer.transaction(buildWritebackBundle(enriched));
    const statuses = (response.entry ?? []).map((entry) => entry.response?.status ?? '');
    expect(statuses.length).toBeGreaterThan(3);
    expect(statuses.every((status) => /^20[01]/.test(status))).toBe(true);

    const written = await new FhirResourceLookup(settings).written(enriched);
    if (!('resources' in written)) throw new Error(`worklist lookup failed: ${written.unavailable}`);
    const report = written.resources.find((resource) => resource.resourceType === 'DiagnosticReport');
    expect(report).toBeDefined();
    aiReportId = report!.id;

    const fetched = JSON.parse(
      (await new FhirReportFetcher(settings).fetch(`DiagnosticReport/${aiReportId}`)).toString('utf8'),
    ) as { entry: { resource: { resourceType: string; id: string } }[] };
    expect(fetched.entry.map((entry) => entry.resource.id)).toContain(aiReportId);

    const prior = await new FhirPriorLookup({
      ...settings,
      patientKeySalt: `${run}-salt`,
      chestXray: DEFAULT_CHEST_XRAY_POLICY,
      identifierSystems: settings.identifierSystems,
    }).findPrior({
      ...enriched.report,
      patient: { ...enriched.report.patient, fhirReference: 'Patient/none' },
    });
    expect(prior).toBeUndefined();

    // Every call bore a live token of this client; the four clients shared them (one cache per process), so
    // there were fewer tokens than calls (a call after a token's 2 s refresh time gets the next one).
    const authenticated = proxy.calls.filter((call) => call.token);
    expect(authenticated.length).toBeGreaterThanOrEqual(4);
    expect(authenticated.every((call) => call.status < 400)).toBe(true);
    const usedTokens = new Set(authenticated.map((call) => call.token));
    expect(usedTokens.size).toBeLessThan(authenticated.length);
    expect(tokens.issued.map((issued) => issued.token)).toEqual([...usedTokens]);
    expect(tokens.issued[0]!.scope).toBe(
      'system/*.rs system/DiagnosticReport.cu system/Observation.cu system/Task.cu',
    );
  });

  it('renews the access token before it expires, and again after it has expired, without a refused call', async () => {
    const writer = new FhirWriter(config().fhir);
    const before = tokens.issued.length;
    const callsBefore = proxy.calls.length;
    const search = `DiagnosticReport?_id=${aiReportId}`;
    expect(await writer.search(search)).toHaveLength(1);
    await sleep(2_200); // past the refresh time (3 s token, 1 s margin), before expiry
    expect(await writer.search(search)).toHaveLength(1);
    await sleep(TOKEN_LIFETIME_S * 1000 + 500); // the token in hand has expired
    expect(await writer.search(search)).toHaveLength(1);
    const used = proxy.calls.slice(callsBefore);
    expect(used.map((call) => call.status)).toEqual([200, 200, 200]);
    expect(tokens.issued.length - before).toBeGreaterThanOrEqual(2);
    expect(new Set(used.map((call) => call.token)).size).toBe(3);
    // Every assertion had its own jti (the endpoint refuses a reused one), and none was refused.
    expect(new Set(tokens.issued.map((issued) => issued.jti)).size).toBe(tokens.issued.length);
    expect(tokens.rejections).toEqual([]);
  });

  it('renews once and retries when the FHIR server refuses a token it holds', async () => {
    const writer = new FhirWriter(config().fhir);
    await sleep(2_100); // whatever token is cached is past its refresh time now:
    await writer.search(`DiagnosticReport?_id=${aiReportId}`); // a fresh one, good for 2 s before renewal
    const before = tokens.issued.length;
    const callsBefore = proxy.calls.length;
    tokens.revokeAll(); // e.g. the EHR rotated its keys
    expect(await writer.search(`DiagnosticReport?_id=${aiReportId}`)).toHaveLength(1);
    const used = proxy.calls.slice(callsBefore);
    expect(used.map((call) => call.status)).toEqual([401, 200]);
    expect(used[0]!.token).not.toBe(used[1]!.token);
    expect(tokens.issued.length - before).toBe(1);
  });

  it('refuses a wrongly signed client assertion with a clear error, and never reaches the FHIR server', async () => {
    const callsBefore = proxy.calls.length;
    const rejectionsBefore = tokens.rejections.length;
    const writer = new FhirWriter(smartConfig(wrongKeyFile).fhir);
    const error = await writer.transaction(buildWritebackBundle(enriched)).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(SmartAuthError);
    const refused = error as SmartAuthError;
    expect(refused.code).toBe('SMART_TOKEN_REFUSED');
    expect(refused.httpStatus).toBe(401);
    expect(refused.oauthError).toBe('invalid_client');
    expect(refused.message).toBe(
      `SMART_TOKEN_REFUSED: token endpoint ${tokens.url} answered HTTP 401 invalid_client ` +
        `(client assertion rejected: signature verification failed) for client ${CLIENT_ID}`,
    );
    expect(isTransient(refused)).toBe(true); // the writeback retries the message; it is not dead-lettered
    expect(refused.message).not.toContain(tokens.assertions.at(-1)!);
    expect(tokens.rejections.slice(rejectionsBefore)).toEqual([
      'client assertion rejected: signature verification failed',
    ]);
    expect(proxy.calls.length).toBe(callsBefore);
  });

  it('has a token endpoint that refuses a replayed assertion (the jti check is live)', async () => {
    const replay = tokens.assertions.find((assertion) => assertion.length > 0)!;
    const response = await fetch(tokens.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'system/*.rs',
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: replay,
      }).toString(),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: 'invalid_client',
      error_description: 'client assertion jti reused',
    });
  });

  it("runs the writeback service's whole write (searches, reference batch, transaction), renewing its token between reports", async () => {
    const appConfig = smartConfig(goodKeyFile);
    const database = openDatabase(appConfig.database.url);
    try {
      const service = new WritebackService(
        new FhirWriter(appConfig.fhir),
        database,
        createLogger('e2e-smart-writeback', 'warn'),
        appConfig,
      );
      // The record's Kafka transaction, played here so that no other consumer of the shared topic takes the event.
      const published: string[] = [];
      const output: RecordOutput = {
        publish: (topic, records) => (published.push(...records.map(() => topic)), Promise.resolve()),
        publishEvent: (topic) => (published.push(topic), Promise.resolve()),
        afterCommit: (settlement) => settlement.complete(),
      };
      const first = enrichedReport(run, { index: 2, patient: { key: patientKey } });
      const second = enrichedReport(run, { index: 3, patient: { key: patientKey } });
      const issuedBefore = tokens.issued.length;
      const callsBefore = proxy.calls.length;

      await service.write(enrichedEvent(run, first), output);
      await sleep(TOKEN_LIFETIME_S * 1000 + 500); // the token in hand expires between the two reports
      await service.write(enrichedEvent(run, second), output);

      expect(published).toEqual([Topics.outboundHl7v2, Topics.outboundHl7v2]); // one ORU per report
      const probe = new FhirProbe(upstream.href.replace(/\/$/, '')); // straight to the server, no proxy
      for (const payload of [first, second]) {
        const reports = await probe.search<DiagnosticReport>(
          `DiagnosticReport?_tag=${token(WRITEBACK_KEY_TAG_SYSTEM, writebackKey(payload))}`,
        );
        expect(reports, payload.report.accession).toHaveLength(1);
      }
      const serviceCalls = proxy.calls.slice(callsBefore);
      expect(serviceCalls.map((call) => call.method)).toContain('POST');
      expect(serviceCalls.every((call) => call.token && call.status < 400)).toBe(true);
      // The second report's calls bore a token issued after the first one's had expired.
      expect(tokens.issued.length - issuedBefore).toBeGreaterThanOrEqual(1);
      expect(new Set(serviceCalls.map((call) => call.token)).size).toBeGreaterThanOrEqual(2);
    } finally {
      await database.end();
    }
  });
});
