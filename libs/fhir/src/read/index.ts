export {
  readDiagnosticReportEvent,
  type ReadFhirOptions,
  type FhirReadResult,
} from './diagnostic-report-reader.ts';
export { htmlToText } from './html-text.ts';
export type { NotificationInfo } from './bundle-index.ts';
