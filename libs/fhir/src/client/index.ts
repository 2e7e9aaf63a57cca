export {
  FhirClient,
  fhirClientFor,
  type FhirCall,
  type FhirCallHook,
  type FhirClientOptions,
} from './fhir-client.ts';
export { FhirError, isFhirError, type FhirErrorCode, type FhirErrorDetails } from './fhir-error.ts';
export {
  failureOfAnswer,
  failureOfNoAnswer,
  unexpectedAnswer,
  retryAfterSeconds,
  type FhirAnswer,
} from './classify.ts';
export {
  operationOutcomeIssues,
  describeOutcomeIssues,
  withoutEchoedValues,
  type FhirOutcomeIssue,
} from './operation-outcome.ts';
