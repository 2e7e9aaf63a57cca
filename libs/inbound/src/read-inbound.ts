import { readDiagnosticReportEvent } from '@radflow/fhir';
import { readOruR01 } from '@radflow/hl7';
import {
  InboundMessageError,
  selectFinalizedChestXray,
  type ChestXrayPolicy,
  type RadiologyReport,
} from '@radflow/reports';

export type InboundKind = 'hl7v2' | 'fhir';

export interface InboundReadOptions {
  maxMessageBytes: number;
  patientKeySalt: string;
  policy?: ChestXrayPolicy;
}

/**
 * What one inbound message became: reports to enrich, reports skipped with why, or why it is unreadable.
 * `unresolved` lists the DiagnosticReports a FHIR notification names without including them (always empty for
 * HL7 v2): whoever received the notification must fetch them, or the reports are lost.
 */
export type InboundOutcome =
  | {
      ok: true;
      accepted: RadiologyReport[];
      skipped: { report: RadiologyReport; code: string; reason: string }[];
      unresolved: string[];
    }
  | { ok: false; error: InboundMessageError };

/** Reads an HL7 v2 or FHIR message into canonical reports and keeps the finalized chest X-rays. */
export function readInbound(
  kind: InboundKind,
  bytes: Uint8Array,
  options: InboundReadOptions,
): InboundOutcome {
  const readerOptions = { maxBytes: options.maxMessageBytes, patientKeySalt: options.patientKeySalt };
  let reports: RadiologyReport[];
  let unresolved: string[] = [];
  if (kind === 'hl7v2') {
    // The name rides along for PID-5 of the outbound ORU^R01 only (libs/hl7 README); it is never logged.
    const read = readOruR01(bytes, { ...readerOptions, keepPatientName: true });
    if (!read.ok) return { ok: false, error: read.error };
    reports = read.reports;
  } else {
    const read = readDiagnosticReportEvent(bytes, readerOptions);
    if (!read.ok) return { ok: false, error: read.error };
    reports = read.reports;
    unresolved = read.unresolved;
  }
  const accepted: RadiologyReport[] = [];
  const skipped: { report: RadiologyReport; code: string; reason: string }[] = [];
  for (const report of reports) {
    const decision = selectFinalizedChestXray(report, options.policy);
    if (decision.accepted) accepted.push(report);
    else skipped.push({ report, code: decision.code, reason: decision.reason });
  }
  return { ok: true, accepted, skipped, unresolved };
}
