import type { ReportEnrichedPayload } from '@radflow/schemas';

/**
 * Characters that break a FHIR token search when they appear inside an identifier value (`|` splits system
 * from code, `,` means OR, `\` and `$` are escapes and composites), the key's separator `/`, and whitespace
 * (so the key is also a valid FHIR `code`, usable as a tag).
 */
const RESERVED = /[%/|,\\$\s]/g;

/** Percent-encodes the reserved characters only, so ordinary accessions and versions stay readable. */
export function escapeKeyPart(part: string): string {
  return part.replace(RESERVED, (character) => encodeURIComponent(character));
}

/** Every literal `%` was escaped, so each `%` left starts an escape. */
export function unescapeKeyPart(part: string): string {
  return decodeURIComponent(part);
}

/** The model's identity as one string: name and version, so rules v1 and model v1 never collide. */
export function modelIdentity(model: { name: string; version: string }): string {
  return `${model.name}@${model.version}`;
}

/**
 * The idempotency key of one writeback: (accession, source report version, model version). It is the AI
 * DiagnosticReport's identifier value, the prefix of every other identifier radflow writes for it, and the
 * ledger key, so a replay is recognised both in the database and on the FHIR server.
 */
export function writebackKey(enriched: Pick<ReportEnrichedPayload, 'report' | 'enrichment'>): string {
  return [enriched.report.accession, enriched.report.reportVersion, modelIdentity(enriched.enrichment.model)]
    .map(escapeKeyPart)
    .join('/');
}

export interface WritebackKeyParts {
  accession: string;
  reportVersion: string;
  model: string;
}

export function parseWritebackKey(key: string): WritebackKeyParts | undefined {
  const parts = key.split('/');
  if (parts.length !== 3) return undefined;
  const [accession, reportVersion, model] = parts.map(unescapeKeyPart) as [string, string, string];
  return { accession, reportVersion, model };
}

/** A token search value `system|value`, URL-encoded for a query string (ifNoneExist, search URLs). */
export function tokenQuery(parameter: string, system: string, value: string): string {
  return `${parameter}=${encodeURIComponent(`${system}|${value}`)}`;
}
