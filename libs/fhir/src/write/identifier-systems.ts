/**
 * Identifier.system must be an absolute URI. HL7 v2 senders name the assigning authority of a patient
 * identifier (CX-4) by a namespace id ("GENHOSP", CX-4.1) or by a universal id (CX-4.2, typed by CX-4.3: ISO =
 * an OID, UUID, URI); the HL7 reader keeps the namespace id when there is one, else the universal id. This
 * turns what the canonical report holds into the system written to FHIR:
 *   1. an authority the site mapped (FHIR_IDENTIFIER_SYSTEMS) → its URI;
 *   2. an OID → `urn:oid:<oid>`; a UUID → `urn:uuid:<uuid>`; an http(s) URL or a URN → itself;
 *   3. any other name → `<base><name, percent-encoded>` (FHIR_IDENTIFIER_SYSTEM_BASE, by default
 *      `urn:radflow:assigning-authority:`), so a bare name is never written.
 */
export interface IdentifierSystemSettings {
  systems: Readonly<Record<string, string>>;
  base: string;
}

/** Also the default of FHIR_IDENTIFIER_SYSTEM_BASE in @radflow/config (a test keeps the two equal). */
export const DEFAULT_IDENTIFIER_SYSTEM_BASE = 'urn:radflow:assigning-authority:';
export const DEFAULT_IDENTIFIER_SYSTEMS: IdentifierSystemSettings = {
  systems: {},
  base: DEFAULT_IDENTIFIER_SYSTEM_BASE,
};

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const URL = /^https?:\/\/[^\s/?#]+[^\s]*$/i;
const URN = /^urn:([A-Za-z0-9][A-Za-z0-9-]{0,31}):(\S+)$/i;

function isUri(value: string): boolean {
  const urn = URN.exec(value);
  if (urn) {
    const [, namespace, rest] = urn as unknown as [string, string, string];
    if (namespace.toLowerCase() === 'oid') return OID.test(rest);
    if (namespace.toLowerCase() === 'uuid') return UUID.test(rest);
    return true;
  }
  return URL.test(value);
}

/** The identifier system URI for what the source named the authority; undefined when it named none. */
export function identifierSystemUri(
  system: string | undefined,
  settings: IdentifierSystemSettings = DEFAULT_IDENTIFIER_SYSTEMS,
): string | undefined {
  const name = system?.trim();
  if (!name) return undefined;
  const mapped = settings.systems[name];
  if (mapped) return mapped;
  if (OID.test(name)) return `urn:oid:${name}`;
  if (UUID.test(name)) return `urn:uuid:${name.toLowerCase()}`;
  if (isUri(name)) return name;
  return `${settings.base}${encodeURIComponent(name)}`;
}
