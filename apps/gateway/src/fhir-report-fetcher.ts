import { Client } from 'fhir-kit-client';
import type { RadflowConfig } from '@radflow/config';
import { fhirAuthFor, withFhirAuth, type FhirAuth } from '@radflow/fhir';
import { traceFhirCall } from '@radflow/platform';

export type FhirFetchErrorCode = 'FHIR_REFERENCE_INVALID' | 'FHIR_REFERENCE_NOT_FOUND' | 'FHIR_FETCH_FAILED';

/**
 * Why a DiagnosticReport a notification names could not be fetched. `transient` failures (server down, timeout,
 * 5xx, throttling, credentials) are answered 503 so the sender keeps the notification and retries; the others
 * are dead-lettered with the notification's bytes. Reasons carry statuses and codes, never resource content.
 */
export class FhirFetchError extends Error {
  override readonly name = 'FhirFetchError';
  readonly httpStatus: number;

  constructor(
    readonly code: FhirFetchErrorCode,
    readonly reason: string,
    readonly transient: boolean,
  ) {
    super(`${code}: ${reason}`);
    this.httpStatus = transient ? 503 : 422;
  }
}

const ID = '[A-Za-z0-9\\-.]{1,64}';
const REPORT_REFERENCE = new RegExp(`(?:^|/)DiagnosticReport/(${ID})(?:/_history/${ID})?/?$`);

/**
 * The report id a notification's focus names, as a read on the configured server. Absolute references are reduced
 * to type and id: the gateway never fetches from a host a notification names (no request forgery), and a
 * versioned reference reads the current version, the one that counts.
 */
export function reportIdOf(reference: string): string | FhirFetchError {
  const match = REPORT_REFERENCE.exec(reference.trim());
  return match?.[1]
    ? match[1]
    : new FhirFetchError(
        'FHIR_REFERENCE_INVALID',
        'notification focus is not a DiagnosticReport reference',
        false,
      );
}

/** Includes that give ingest what the report alone lacks: the patient's identifiers, the accession, result text. */
export const REPORT_INCLUDES = [
  'DiagnosticReport:subject',
  'DiagnosticReport:based-on',
  'DiagnosticReport:result',
];

/** Statuses after which a resend cannot help: the report is not on the server. */
const GONE = new Set([404, 410]);

/**
 * Fetches the DiagnosticReports that id-only notifications name, from the configured FHIR server: one search by
 * id with the patient, order and results included, so ingest reads the same canonical report (and patient key)
 * as if the notification had carried it. Every call has a deadline.
 */
export class FhirReportFetcher {
  private readonly client: Client;
  private readonly auth: FhirAuth;

  constructor(
    private readonly settings: Pick<RadflowConfig['fhir'], 'baseUrl' | 'bearerToken' | 'timeoutMs'> &
      Partial<Pick<RadflowConfig['fhir'], 'auth'>>,
  ) {
    this.client = new Client({ baseUrl: settings.baseUrl });
    this.auth = fhirAuthFor(settings);
  }

  /**
   * The searchset Bundle holding the report, serialised as the server sent it (fhir-kit-client parses the JSON;
   * the bytes are its re-serialisation, the same content). Throws FhirFetchError.
   */
  async fetch(reference: string): Promise<Buffer> {
    const id = reportIdOf(reference);
    if (id instanceof FhirFetchError) throw id;
    const query = [
      `_id=${encodeURIComponent(id)}`,
      ...REPORT_INCLUDES.map((i) => `_include=${encodeURIComponent(i)}`),
    ];
    let bundle: {
      resourceType?: string;
      entry?: Array<{ resource?: { resourceType?: string }; search?: { mode?: string } }>;
    };
    try {
      const signal = AbortSignal.timeout(this.settings.timeoutMs);
      const search = {
        baseUrl: this.settings.baseUrl,
        method: 'GET',
        path: 'DiagnosticReport',
        interaction: 'search',
      } as const;
      bundle = (await traceFhirCall(search, () =>
        withFhirAuth(this.auth, (headers) =>
          this.client.request(`DiagnosticReport?${query.join('&')}`, { options: { signal, headers } }),
        ),
      )) as typeof bundle;
    } catch (error) {
      throw classifyFetchFailure(error);
    }
    if (bundle?.resourceType !== 'Bundle') {
      throw new FhirFetchError(
        'FHIR_FETCH_FAILED',
        'FHIR search answered something other than a Bundle',
        true,
      );
    }
    const found = (bundle.entry ?? []).some(
      (entry) => entry.resource?.resourceType === 'DiagnosticReport' && entry.search?.mode !== 'include',
    );
    if (!found)
      throw new FhirFetchError(
        'FHIR_REFERENCE_NOT_FOUND',
        'the FHIR server has no DiagnosticReport with that id',
        false,
      );
    return Buffer.from(JSON.stringify(bundle), 'utf8');
  }
}

export function classifyFetchFailure(error: unknown): FhirFetchError {
  const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
  if (typeof status === 'number') {
    if (status < 400)
      return new FhirFetchError(
        'FHIR_FETCH_FAILED',
        `FHIR read answered HTTP ${status} with a body that is not JSON`,
        true,
      );
    return GONE.has(status)
      ? new FhirFetchError('FHIR_REFERENCE_NOT_FOUND', `FHIR read answered HTTP ${status}`, false)
      : new FhirFetchError('FHIR_FETCH_FAILED', `FHIR read answered HTTP ${status}`, true);
  }
  const name = (error as { name?: string } | null)?.name;
  const reason =
    name === 'TimeoutError' || name === 'AbortError' ? 'FHIR read timed out' : 'FHIR server unreachable';
  return new FhirFetchError('FHIR_FETCH_FAILED', reason, true);
}
