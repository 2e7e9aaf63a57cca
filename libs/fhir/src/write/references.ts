import type { CodeableConcept, Coding, DiagnosticReport, Patient, Reference } from '@medplum/fhirtypes';
import type { RadiologyReport } from '@radflow/schemas';
import { fhirText } from './fhir-primitives.ts';
import { escapeKeyPart } from './writeback-key.ts';
import { ACCESSION_TYPE, FALLBACK_REPORT_CODE, IdentifierSystems } from './vocabulary.ts';

/** The patient as the source names them: the EHR's reference when known, else a logical identifier reference. */
export function subjectOf(report: RadiologyReport): Reference<Patient> | undefined {
  if (report.patient.fhirReference) return { reference: report.patient.fhirReference };
  const identifier = report.patient.identifier;
  if (!identifier || !fhirText(identifier.value)) return undefined;
  return {
    type: 'Patient',
    identifier: { ...(identifier.system ? { system: identifier.system } : {}), value: identifier.value },
  };
}

/** The exam's accession as the source knows it (its system is the sender's, and unknown here). */
export function accessionIdentifier(accession: string) {
  return { type: { coding: [ACCESSION_TYPE] }, value: accession };
}

/**
 * radflow's own accession identifier on the AI report, escaped like the writeback key so a token search
 * finds it whatever characters the accession holds.
 */
export function searchableAccessionIdentifier(accession: string) {
  return {
    type: { coding: [ACCESSION_TYPE] },
    system: IdentifierSystems.accession,
    value: escapeKeyPart(accession),
  };
}

/** The signed report the AI output derives from: its FHIR reference when it came from FHIR, its accession always. */
export function sourceReportReference(report: RadiologyReport): Reference<DiagnosticReport> {
  return {
    ...(report.source.fhirReference ? { reference: report.source.fhirReference } : {}),
    type: 'DiagnosticReport',
    identifier: accessionIdentifier(report.accession),
  };
}

/** The same procedure code as the source report, so the AI draft files next to it. */
export function procedureCode(procedure: RadiologyReport['procedure']): CodeableConcept {
  const text = fhirText(procedure.text);
  const coding: Coding[] = procedure.code
    ? [
        {
          ...(procedure.system ? { system: procedure.system } : {}),
          code: procedure.code,
          ...(text ? { display: text } : {}),
        },
      ]
    : [FALLBACK_REPORT_CODE];
  return { coding, text: text ?? coding[0]?.display ?? 'Radiology report' };
}
