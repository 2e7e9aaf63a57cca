import {
  convertToSearchableReferences,
  convertToSearchableTokens,
  evalFhirPathTyped,
  globalSchema,
  Operator,
  splitSearchOnComma,
  toTypedValue,
  type Filter,
  type SearchRequest,
} from '@medplum/core';
import type { Resource, SearchParameter } from '@medplum/fhirtypes';

/**
 * The search parameters whose equality searches the index answers: the ones radflow's apps and the soak search by
 * (conditional creates on `_tag`, patients by `identifier`, reports by `_id`, `_revinclude=Task:focus`, Provenance by
 * `target`, prior reports by `subject`).
 */
const INDEXED_CODES = ['_id', '_tag', 'identifier', 'subject', 'patient', 'focus', 'target', 'based-on'];

/**
 * A pre-filter for MemoryRepository's search, which evaluates every resource of the type with FHIRPath: for an
 * equality filter on an indexed token or reference parameter it names the resources that may match. It is a
 * superset: keys are lower-cased values (Medplum compares tokens case-insensitively), entries are never removed (a
 * resource updated or deleted since keeps its old keys), and the caller still runs Medplum's matchesSearchRequest
 * on every candidate, so the results are exactly those of the full scan.
 */
export class SearchIndex {
  private readonly byType = new Map<string, Map<string, Set<string>>>();

  /** Adds the keys of a stored resource (after every write). */
  add(resource: Resource & { id: string }): void {
    let keys = this.byType.get(resource.resourceType);
    if (!keys) {
      keys = new Map();
      this.byType.set(resource.resourceType, keys);
    }
    for (const param of indexedParams(resource.resourceType)) {
      for (const key of resourceKeys(param, resource)) {
        let ids = keys.get(key);
        if (!ids) {
          ids = new Set();
          keys.set(key, ids);
        }
        ids.add(resource.id);
      }
    }
  }

  /**
   * Ids of every resource that may match the request, or undefined when no filter can use the index (the caller
   * scans). Uses the filter with the fewest candidates.
   */
  candidates(request: SearchRequest): Set<string> | undefined {
    let best: Set<string> | undefined;
    for (const filter of request.filters ?? []) {
      const keys = filterKeys(request.resourceType, filter);
      if (!keys) continue;
      const ids = new Set<string>();
      const byKey = this.byType.get(request.resourceType);
      for (const key of keys) for (const id of byKey?.get(key) ?? []) ids.add(id);
      if (!best || ids.size < best.size) best = ids;
    }
    return best;
  }
}

type IndexedParam = SearchParameter & { code: string; expression: string; type: 'token' | 'reference' };

const paramsByType = new Map<string, IndexedParam[]>();

function indexedParams(resourceType: string): IndexedParam[] {
  let params = paramsByType.get(resourceType);
  if (!params) {
    params = INDEXED_CODES.map((code) => indexedParam(resourceType, code)).filter(
      (p): p is IndexedParam => p !== undefined,
    );
    paramsByType.set(resourceType, params);
  }
  return params;
}

function indexedParam(resourceType: string, code: string): IndexedParam | undefined {
  const param = globalSchema.types[resourceType]?.searchParams?.[code];
  if (!param?.expression || (param.type !== 'token' && param.type !== 'reference')) return undefined;
  return { ...param, code } as IndexedParam;
}

const tokenKey = (code: string, value: string) => `t\0${code}\0${value.toLowerCase()}`;
const referenceKey = (code: string, reference: string) => `r\0${code}\0${reference}`;
const lastSegmentKey = (code: string, segment: string) => `s\0${code}\0${segment}`;

function resourceKeys(param: IndexedParam, resource: Resource): string[] {
  // The same evaluation as matchesSearchRequest: the parameter's expression, then Medplum's own conversion.
  const values = evalFhirPathTyped(param.expression, [toTypedValue(resource)]);
  if (param.type === 'token') {
    return convertToSearchableTokens(values)
      .map((token) => token.value)
      .filter((value): value is string => typeof value === 'string')
      .map((value) => tokenKey(param.code, value));
  }
  const keys: string[] = [];
  for (const reference of convertToSearchableReferences(values)) {
    if (typeof reference !== 'string') continue;
    keys.push(referenceKey(param.code, reference));
    const slash = reference.lastIndexOf('/');
    if (slash >= 0) keys.push(lastSegmentKey(param.code, reference.slice(slash + 1)));
  }
  return keys;
}

/**
 * The index keys one of which a resource matching the filter must hold, mirroring @medplum/core's
 * matchesTokenFilter / matchesReferenceFilter for the equality operator; undefined when the filter is not one the
 * index can answer (another operator or modifier, another parameter, `system|` with no value, an empty value).
 */
function filterKeys(resourceType: string, filter: Filter): string[] | undefined {
  if (filter.operator !== Operator.EQUALS || filter.value === '') return undefined;
  const param = INDEXED_CODES.includes(filter.code) ? indexedParam(resourceType, filter.code) : undefined;
  if (!param) return undefined;
  const keys: string[] = [];
  for (const part of splitSearchOnComma(filter.value)) {
    if (param.type === 'token') {
      if (!part.includes('|')) {
        keys.push(tokenKey(param.code, part));
        continue;
      }
      const [system, value] = part.split('|');
      if (!value) {
        if (system) return undefined; // `system|`: any value of that system
        continue; // `|`: matches nothing
      }
      keys.push(tokenKey(param.code, value));
    } else if (part.includes('/')) {
      keys.push(referenceKey(param.code, part));
    } else if (param.target?.length === 1) {
      keys.push(lastSegmentKey(param.code, part));
    } // else: a bare id for a parameter with several targets matches nothing
  }
  return keys;
}
