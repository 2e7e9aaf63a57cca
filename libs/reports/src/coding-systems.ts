/** Canonical coding-system URIs, so HL7 v2 ("LN", "C4") and FHIR feeds name a code the same way. */
export const LOINC_SYSTEM = 'http://loinc.org';
export const CPT_SYSTEM = 'http://www.ama-assn.org/go/cpt';
export const SNOMED_SYSTEM = 'http://snomed.info/sct';
export const RADLEX_SYSTEM = 'http://www.radlex.org';

const V2_TO_URI: Record<string, string> = {
  LN: LOINC_SYSTEM,
  LOINC: LOINC_SYSTEM,
  C4: CPT_SYSTEM,
  C5: CPT_SYSTEM,
  CPT: CPT_SYSTEM,
  CPT4: CPT_SYSTEM,
  'CPT-4': CPT_SYSTEM,
  SCT: SNOMED_SYSTEM,
  SNM: SNOMED_SYSTEM,
  SNOMED: SNOMED_SYSTEM,
  SNOMEDCT: SNOMED_SYSTEM,
  RADLEX: RADLEX_SYSTEM,
  RID: RADLEX_SYSTEM,
};

/** Map an HL7 v2 coding-system name (table 0396) to its URI; local names are kept as sent. */
export function canonicalCodingSystem(system: string | undefined): string | undefined {
  if (system === undefined || system.trim() === '') return undefined;
  const trimmed = system.trim();
  return V2_TO_URI[trimmed.toUpperCase()] ?? trimmed;
}

export function isStandardProcedureSystem(system: string | undefined): boolean {
  return system === LOINC_SYSTEM || system === CPT_SYSTEM;
}
