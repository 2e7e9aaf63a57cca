import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { DestinationStream, Logger };

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

/**
 * A JSON logger for one service; PHI-bearing fields are redacted. Lines go to standard output, or to `destination`
 * (a host's chosen stream: a file, a log shipper, a test reading every line).
 */
export function createLogger(
  service: string,
  level: LogLevel = 'info',
  destination?: DestinationStream,
): Logger {
  const options = { name: service, level, redact: { paths: phiPaths, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
