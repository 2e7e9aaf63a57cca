import { ConfigError, envReader, type Env } from './env-reader.ts';

/**
 * How radflow names the system of a patient identifier it writes to FHIR. HL7 v2 names the assigning authority
 * of an identifier (CX-4) by a namespace id ("GENHOSP") or a universal id (an OID, a UUID or a URI); FHIR needs
 * an absolute URI in Identifier.system. The hospital's master patient index knows the URI of each authority:
 * list them in FHIR_IDENTIFIER_SYSTEMS. An authority not listed gets `<FHIR_IDENTIFIER_SYSTEM_BASE><name>`
 * (the name percent-encoded), never the bare name.
 */
export interface IdentifierSystemSettings {
  /** Assigning authority (CX-4.1 namespace id, or the universal id) → identifier system URI. */
  systems: Readonly<Record<string, string>>;
  /** Base of the system URI of an authority that `systems` does not list. */
  base: string;
}

export const IDENTIFIER_SYSTEMS_VARIABLE = 'FHIR_IDENTIFIER_SYSTEMS';
export const IDENTIFIER_SYSTEM_BASE_VARIABLE = 'FHIR_IDENTIFIER_SYSTEM_BASE';
/** The embedded default's base for unmapped authorities: `urn:radflow:assigning-authority:GENHOSP`. */
export const DEFAULT_IDENTIFIER_SYSTEM_BASE = 'urn:radflow:assigning-authority:';

/** An absolute URI (RFC 3986 scheme, then something without whitespace). */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
/** An ISO object identifier (CX-4.3 = ISO). */
export const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/**
 * `FHIR_IDENTIFIER_SYSTEMS`: comma-separated `AUTHORITY=URI` pairs, e.g.
 * `GENHOSP=urn:oid:2.16.840.1.113883.19.5,STMARY=https://fhir.stmary.example/sid/mrn`; a bare OID is written as
 * `urn:oid:<oid>`. `FHIR_IDENTIFIER_SYSTEM_BASE`: an absolute URI ending in `:`, `/` or `#`.
 */
export function readIdentifierSystemSettings(env: Env): IdentifierSystemSettings {
  const read = envReader(env);
  const systems: Record<string, string> = {};
  for (const pair of read.list(IDENTIFIER_SYSTEMS_VARIABLE, [])) {
    const at = pair.indexOf('=');
    const authority = pair.slice(0, Math.max(at, 0)).trim();
    const value = pair.slice(at + 1).trim();
    const uri = OID.test(value) ? `urn:oid:${value}` : value;
    if (at <= 0 || authority === '' || !ABSOLUTE_URI.test(uri))
      throw new ConfigError(
        IDENTIFIER_SYSTEMS_VARIABLE,
        'comma-separated AUTHORITY=URI pairs, each URI absolute (urn:oid:…, https://…) or an OID',
      );
    systems[authority] = uri;
  }
  const base = read.string(IDENTIFIER_SYSTEM_BASE_VARIABLE, DEFAULT_IDENTIFIER_SYSTEM_BASE);
  if (!ABSOLUTE_URI.test(base) || !/[:/#]$/.test(base))
    throw new ConfigError(IDENTIFIER_SYSTEM_BASE_VARIABLE, 'an absolute URI ending in ":", "/" or "#"');
  return { systems, base };
}
