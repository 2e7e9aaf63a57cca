import type {
  CodeableConcept,
  Coding,
  DiagnosticReport,
  Identifier,
  Patient,
  Reference,
} from '@medplum/fhirtypes';
import type { RadiologyReport } from '@radflow/schemas';
import { fhirText } from './fhir-primitives.ts';
import { identifierSystemUri, type IdentifierSystemSettings } from './identifier-systems.ts';
import type { ReferenceTargets } from './reference-targets.ts';
import { escapeKeyPart } from './writeback-key.ts';
import { ACCESSION_TYPE, FALLBACK_REPORT_CODE, IdentifierSystems } from './vocabulary.ts';

/** The patient's identifier as written to FHIR: its system an absolute URI (see identifierSystemUri). */
export function patientIdentifier(
  report: RadiologyReport,
  systems?: IdentifierSystemSettings,
): Identifier | undefined {
  const identifier = report.patient.identifier;
  const value = fhirText(identifier?.value);
  if (!identifier || !value) return undefined;
  const system = identifierSystemUri(identifier.system, systems);
  return { ...(system ? { system } : {}), value: identifier.value };
}

/**
 * The patient as the target server knows them: a literal reference only when radflow found the patient on
 * that server (`targets.patient`), the identifier whenever there is one. A reference the source gave
 * (report.patient.fhirReference) is relative to the source's server and is never written unchecked.
 */
export function subjectOf(
  report: RadiologyReport,
  targets: ReferenceTargets = {},
  systems?: IdentifierSystemSettings,
): Reference<Patient> | undefined {
  const identifier = patientIdentifier(report, systems);
  if (!targets.patient && !identifier) return undefined;
  return {
    ...(targets.patient ? { reference: targets.patient } : {}),
    type: 'Patient',
    ...(identifier ? { identifier } : {}),
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

/**
 * The signed report the AI output derives from: by its accession always, and literally when radflow found it
 * on the target server (`targets.sourceReport`).
 */
export function sourceReportReference(
  report: RadiologyReport,
  targets: ReferenceTargets = {},
): Reference<DiagnosticReport> {
  return {
    ...(targets.sourceReport ? { reference: targets.sourceReport } : {}),
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
