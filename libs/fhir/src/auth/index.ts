export {
  fhirAuthFor,
  fhirFetch,
  withFhirAuth,
  smartBackendAuth,
  staticBearerAuth,
  NO_FHIR_AUTH,
  type FhirAuth,
  type FhirAuthOptions,
  type FhirConnectionAuth,
} from './fhir-auth.ts';
export {
  SmartBackendTokenProvider,
  SmartAuthError,
  ASSERTION_LIFETIME_SECONDS,
  CLIENT_ASSERTION_TYPE,
  type SmartAuthErrorCode,
  type SmartBackendTokenDeps,
  type SmartBackendTokenOptions,
  type SmartSigningAlg,
} from './smart-backend-token.ts';
