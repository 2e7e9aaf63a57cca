import type { RadflowConfig } from '@radflow/config';
import { FhirError, fhirClientFor, type FhirClient, type FhirErrorCode } from '@radflow/fhir';
import { traceFhirCall } from '@radflow/platform';

/** The codes a sender and the dead-letter topic see for a named report (the gateway README's table). */
export type ReportFetchCode =
  'FHIR_REFERENCE_INVALID' | 'FHIR_REFERENCE_NOT_FOUND' | 'FHIR_FETCH_FAILED' | 'FHIR_REJECTED';

/**
 * Why a report a notification names was not fetched, as the sender is told: `transient` (the FHIR client's
 * classification) is answered 503 so the sender keeps the notification and resends; the others dead-letter it.
 */
export interface ReportFetchRefusal {
  code: ReportFetchCode;
  reason: string;
  transient: boolean;
  httpStatus: 503 | 422;
  /** The FHIR server's Retry-After, when it gave one. */
  retryAfterSeconds?: number;
}

const ID = '[A-Za-z0-9\\-.]{1,64}';
const REPORT_REFERENCE = new RegExp(`(?:^|/)DiagnosticReport/(${ID})(?:/_history/${ID})?/?$`);

/**
 * The report id a notification's focus names, as a read on the configured server, or undefined when it names no
 * DiagnosticReport. Absolute references are reduced to type and id: the gateway never fetches from a host a
 * notification names (no request forgery), and a versioned reference reads the current version, the one that counts.
 */
export function reportIdOf(reference: string): string | undefined {
  return REPORT_REFERENCE.exec(reference.trim())?.[1];
}

/** Includes that give ingest what the report alone lacks: the patient's identifiers, the accession, result text. */
export const REPORT_INCLUDES = [
  'DiagnosticReport:subject',
  'DiagnosticReport:based-on',
  'DiagnosticReport:result',
];

const PERMANENT_CODES: Partial<Record<FhirErrorCode, ReportFetchCode>> = {
  FHIR_NOT_FOUND: 'FHIR_REFERENCE_NOT_FOUND',
  FHIR_REFERENCE_INVALID: 'FHIR_REFERENCE_INVALID',
};

/**
 * What a failed fetch tells the sender. Transient or not is the FHIR client's call (FhirError); only the names are
 * the gateway's: any transient failure is FHIR_FETCH_FAILED, a report the server lacks FHIR_REFERENCE_NOT_FOUND.
 * A throw that is no FhirError (no SMART token could be had) is transient: a resend may find the token server up.
 */
export function refusalOf(error: unknown): ReportFetchRefusal {
  if (error instanceof FhirError && error.permanent)
    return {
      code: PERMANENT_CODES[error.code] ?? 'FHIR_REJECTED',
      reason: error.reason,
      transient: false,
      httpStatus: 422,
    };
  if (error instanceof FhirError)
    return {
      code: 'FHIR_FETCH_FAILED',
      reason: error.reason,
      transient: true,
      httpStatus: 503,
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    };
  const code = (error as { code?: unknown } | null)?.code;
  return {
    code: 'FHIR_FETCH_FAILED',
    reason: `no FHIR access token (${typeof code === 'string' ? code : 'unexpected failure'})`,
    transient: true,
    httpStatus: 503,
  };
}

/**
 * Fetches the DiagnosticReports that id-only notifications name, from the configured FHIR server: one search by
 * id with the patient, order and results included, so ingest reads the same canonical report (and patient key)
 * as if the notification had carried it. Every call has a deadline (the FHIR client's).
 */
export class FhirReportFetcher {
  private readonly client: FhirClient;

  constructor(
    settings: Pick<RadflowConfig['fhir'], 'baseUrl' | 'bearerToken' | 'timeoutMs'> &
      Partial<Pick<RadflowConfig['fhir'], 'auth'>>,
  ) {
    this.client = fhirClientFor(settings, { around: traceFhirCall });
  }

  /**
   * The searchset Bundle holding the report, serialised again from the server's JSON (the same content).
   * Throws FhirError: FHIR_REFERENCE_INVALID or FHIR_NOT_FOUND (permanent), or the client's failures.
   */
  async fetch(reference: string): Promise<Buffer> {
    const id = reportIdOf(reference);
    if (!id)
      throw new FhirError({
        code: 'FHIR_REFERENCE_INVALID',
        reason: 'notification focus is not a DiagnosticReport reference',
        transient: false,
      });
    const query = [
      `_id=${encodeURIComponent(id)}`,
      ...REPORT_INCLUDES.map((i) => `_include=${encodeURIComponent(i)}`),
    ];
    const bundle = await this.client.search(`DiagnosticReport?${query.join('&')}`);
    const found = (bundle.entry ?? []).some(
      (entry) => entry.resource?.resourceType === 'DiagnosticReport' && entry.search?.mode !== 'include',
    );
    if (!found)
      throw new FhirError({
        code: 'FHIR_NOT_FOUND',
        reason: 'the FHIR server has no DiagnosticReport with that id',
        transient: false,
      });
    return Buffer.from(JSON.stringify(bundle), 'utf8');
  }
}
