import { OperationOutcomeError, validateResource, type TypedValueWithPath } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { RequiredBindingChecker } from './terminology.ts';

/** Validates a resource against the R4 StructureDefinitions plus required terminology bindings. */
export class R4Validator {
  constructor(private readonly terminology: RequiredBindingChecker = new RequiredBindingChecker()) {}

  /** Throws OperationOutcomeError (issues with FHIRPath expressions) when the resource is invalid. */
  validate(resource: Resource): void {
    if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
      throw new OperationOutcomeError({
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'error',
            code: 'structure',
            details: { text: 'Body is not a FHIR resource (JSON object)' },
          },
        ],
      });
    }
    const tokens: Record<string, TypedValueWithPath[]> = {};
    // Structural errors (cardinality, types, unknown properties, invariants) throw here.
    validateResource(resource, { collect: { tokens } });
    const issues = this.terminology.check(tokens);
    if (issues.length > 0) {
      throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: issues });
    }
  }
}
