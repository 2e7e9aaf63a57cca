import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

// A safety net, not the policy: code logs ids and hashes only, and these paths are blanked if a report slips in.
const phiPaths = [
  'text',
  'findings',
  'impression',
  'report.text',
  'report.sections',
  'report.patient.identifier',
  '*.text',
  '*.findings',
  '*.impression',
  'patient.identifier',
  'patientName',
];

/** A JSON logger for one service; PHI-bearing fields are redacted. */
export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  return pino({ name: service, level, redact: { paths: phiPaths, censor: '[redacted]' } });
}
