import type { RadiologyReport } from '@radflow/schemas';
import type { FhirClient } from '../client/fhir-client.ts';
import type { IdentifierSystemSettings } from './identifier-systems.ts';
import {
  lookupBatch,
  lookupMatches,
  referenceLookups,
  targetsFrom,
  type ReferenceTargets,
} from './reference-targets.ts';

/** How long a patient or source report found on the server is trusted to be there without asking again. */
export const FOUND_TTL_MS = 10 * 60_000;
const MAX_REMEMBERED = 10_000;

/** Where a report's patient and source report are on the server (the plans ask; ReferenceResolver answers). */
export interface ReferenceFinder {
  targets(report: RadiologyReport): Promise<ReferenceTargets>;
}

/**
 * Where the patient and the source report of a report are on the FHIR server radflow writes to, so the AI
 * resources refer to them literally only when they exist there (see referenceLookups). The
 * searches go out as one batch; what was found is remembered for FOUND_TTL_MS (one patient's reports arrive
 * together), what was not found is asked again next time, since it may have arrived meanwhile.
 */
export class ReferenceResolver implements ReferenceFinder {
  private readonly found = new Map<string, { reference: string; until: number }>();

  constructor(
    private readonly fhir: Pick<FhirClient, 'batch'>,
    /** FHIR_REFERENCE_LOOKUP and the identifier systems, as @radflow/config reads them. */
    private readonly settings: { referenceLookup: boolean; identifierSystems?: IdentifierSystemSettings },
    private readonly now: () => number = Date.now,
  ) {}

  async targets(report: RadiologyReport): Promise<ReferenceTargets> {
    if (!this.settings.referenceLookup) return {};
    const lookups = referenceLookups(report, this.settings.identifierSystems);
    const known = new Map<string, string>();
    for (const lookup of lookups) {
      const remembered = this.found.get(lookup.url);
      if (remembered && remembered.until > this.now()) known.set(lookup.url, remembered.reference);
      else if (remembered) this.found.delete(lookup.url);
    }
    const resolved = targetsFrom(lookups, known);
    const pending = lookups.filter((lookup) => !resolved[lookup.target]);
    if (pending.length === 0) return resolved;
    const matches = lookupMatches(pending, await this.fhir.batch(lookupBatch(pending)));
    for (const [url, reference] of matches) this.remember(url, reference);
    return targetsFrom(lookups, new Map([...known, ...matches]));
  }

  private remember(url: string, reference: string): void {
    if (this.found.size >= MAX_REMEMBERED) this.found.delete(this.found.keys().next().value!);
    this.found.set(url, { reference, until: this.now() + FOUND_TTL_MS });
  }
}
