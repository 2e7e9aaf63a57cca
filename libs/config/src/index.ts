export {
  loadConfig,
  defaultModelDir,
  repoRoot,
  DEFAULT_LOG_HASH_KEY_FILE,
  DEFAULT_API_KEY_FILE,
  type RadflowConfig,
  type LogLevel,
} from './config.ts';
export { dataDir, dataPath } from './data-dir.ts';
export { readRetrainerConfig, type RetrainerConfig } from './retrainer-config.ts';
export {
  readRuleSettings,
  RULES_FILE_VARIABLE,
  type ChestXraySettings,
  type PriorityRuleSettings,
  type PrioritySettings,
  type RuleSettings,
} from './report-rules.ts';
export { ConfigError, envReader, type Env } from './env-reader.ts';
export {
  readIdentifierSystemSettings,
  DEFAULT_IDENTIFIER_SYSTEM_BASE,
  IDENTIFIER_SYSTEMS_VARIABLE,
  IDENTIFIER_SYSTEM_BASE_VARIABLE,
  type IdentifierSystemSettings,
} from './fhir-identifiers.ts';
export {
  readFhirAuthSettings,
  DEFAULT_SMART_SCOPE,
  FHIR_AUTH_VARIABLE,
  type FhirAuthSettings,
  type SmartBackendSettings,
  type SmartSigningAlg,
} from './fhir-auth.ts';
export { createLogger, type DestinationStream, type Logger } from './logger.ts';
export { logHash, keyedLogHash, useLogHashKey } from './hashing.ts';
export {
  readLogHashSettings,
  resolveLogHashKey,
  LOG_HASH_KEY_VARIABLE,
  type LogHashSettings,
} from './log-hash-key.ts';
export { readOtelSettings, type OtelSettings, type OtelSampler } from './otel.ts';
export {
  readApiSettings,
  readMllpSecuritySettings,
  resolveApiKeyFile,
  clientApiToken,
  type ApiJwtAlgorithm,
  type ApiSettings,
  type MllpSecuritySettings,
} from './api-security.ts';
