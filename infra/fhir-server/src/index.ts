export { startFhirServer, type FhirServerOptions, type RunningFhirServer } from './server.ts';
export { ValidatingMemoryRepository } from './repository.ts';
export { R4Validator } from './validation.ts';
export { loadR4Definitions } from './definitions.ts';
