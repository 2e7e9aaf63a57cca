export { loadConfig, repoRoot, type RadflowConfig, type LogLevel } from './config.ts';
export { ConfigError, envReader, type Env } from './env-reader.ts';
export { createLogger, type Logger } from './logger.ts';
export { logHash } from './hashing.ts';
