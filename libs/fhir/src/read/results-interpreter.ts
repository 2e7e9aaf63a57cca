import type { Identifier, Practitioner, Reference } from '@medplum/fhirtypes';
import type { ResultInterpreter } from '@radflow/reports';
import type { BundleIndex } from './bundle-index.ts';
import { asArray, asLoose, asText, type Loose } from './loose.ts';

/** The system of an id that is a Practitioner's logical id on the sender's FHIR server, not an issued identifier. */
export const PRACTITIONER_REFERENCE_SYSTEM = 'fhir-reference:Practitioner';

const LITERAL_PRACTITIONER = /^(?:.*\/)?Practitioner\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;
const MAX_ID_LENGTH = 64;
// eslint-disable-next-line no-control-regex -- control characters are exactly what a garbled value holds
const NOT_IN_AN_ID = /[\s\u0000-\u001f\u007f]/;

/**
 * DiagnosticReport.resultsInterpreter as the radiologist who signed the report, or undefined. The first interpreter
 * that names a Practitioner by id wins, read in this order:
 * 1. `reference.identifier` (a logical reference): its value, with its system;
 * 2. a literal `Practitioner/<id>` reference (relative, absolute or versioned): the id part, with the system
 *    `fhir-reference:Practitioner`. A server's logical id is stable on that server, and the referenced resource is
 *    usually not in the event;
 * 3. a reference that only this event can resolve (`#contained`, `urn:uuid:`): that Practitioner's first identifier,
 *    since such a reference means nothing outside the event.
 * `display` (a name) is never read; PractitionerRole, Organization and CareTeam interpreters name no person and are
 * passed over. Malformed values give undefined, never an error: attribution is best effort.
 */
export function readResultsInterpreter(
  interpreters: unknown,
  report: Record<string, unknown>,
  index: BundleIndex,
): ResultInterpreter | undefined {
  for (const value of asArray(interpreters)) {
    const ref = asLoose<Reference>(value);
    if (!ref) continue;
    const type = asText(ref.type);
    if (type !== undefined && type !== 'Practitioner') continue;
    const logical = fromIdentifier(ref.identifier);
    if (logical) return logical;
    const reference = asText(ref.reference);
    if (reference === undefined) continue;
    const literal = LITERAL_PRACTITIONER.exec(reference);
    if (literal) return { id: literal[1]!, system: PRACTITIONER_REFERENCE_SYSTEM };
    const resolved = index.resolve(reference, report);
    if (resolved?.resourceType !== 'Practitioner') continue;
    const practitioner = resolved.resource as Loose<Practitioner>;
    for (const identifier of asArray(practitioner.identifier)) {
      const issued = fromIdentifier(identifier);
      if (issued) return issued;
    }
  }
  return undefined;
}

function fromIdentifier(value: unknown): ResultInterpreter | undefined {
  const identifier = asLoose<Identifier>(value);
  const id = asText(identifier?.value);
  if (id === undefined || !isStaffId(id)) return undefined;
  const system = asText(identifier?.system);
  return system === undefined ? { id } : { id, system };
}

function isStaffId(value: string): boolean {
  return value.length <= MAX_ID_LENGTH && !NOT_IN_AN_ID.test(value);
}
