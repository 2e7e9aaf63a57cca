import { expect } from 'vitest';
import { FhirError } from './fhir-error.ts';

/** For tests: the FhirError a call failed with (the test fails when it succeeds or throws anything else). */
export async function fhirFailureOf(run: Promise<unknown>): Promise<FhirError> {
  const error = await run.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(FhirError);
  return error as FhirError;
}
