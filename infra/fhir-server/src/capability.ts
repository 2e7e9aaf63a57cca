import { getSearchParameters } from '@medplum/core';
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';

const TYPE_INTERACTIONS: CapabilityStatementRestResource['interaction'] = [
  { code: 'read' },
  { code: 'vread' },
  { code: 'update' },
  { code: 'patch' },
  { code: 'delete' },
  { code: 'history-instance' },
  { code: 'create' },
  { code: 'search-type' },
];

/** What this server really supports, for GET [base]/metadata. */
export function buildCapabilityStatement(
  baseUrl: string,
  resourceTypes: readonly string[],
  startedAt: string,
): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: startedAt,
    publisher: 'radflow',
    kind: 'instance',
    software: { name: 'radflow local FHIR server (@medplum/fhir-router MemoryRepository)' },
    implementation: {
      description: 'In-memory FHIR R4 server for radflow development and tests; data is lost on restart',
      url: baseUrl,
    },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        resource: resourceTypes.map((type) => ({
          type: type as CapabilityStatementRestResource['type'],
          interaction: TYPE_INTERACTIONS,
          versioning: 'versioned',
          readHistory: true,
          updateCreate: true,
          conditionalCreate: true,
          conditionalUpdate: true,
          conditionalDelete: 'single',
          searchParam: Object.values(getSearchParameters(type) ?? {}).map((sp) => ({
            name: sp.code ?? '',
            definition: sp.url,
            type: sp.type,
          })),
        })),
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'search-system' }],
      },
    ],
  };
}
