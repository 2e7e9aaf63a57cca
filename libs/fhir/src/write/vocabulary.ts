import type { Coding } from '@medplum/fhirtypes';

/**
 * The codes and URIs radflow stamps on what it writes. AI content is labelled the way HL7's AI Transparency
 * implementation guide does it: the `AIAST` security label on every resource the model produced.
 */
export const AI_ASSERTED: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'AIAST',
  display: 'Artificial Intelligence asserted',
};

export const RADFLOW_TAG_SYSTEM = 'urn:radflow:tag';
export const AI_GENERATED_TAG: Coding = {
  system: RADFLOW_TAG_SYSTEM,
  code: 'ai-generated',
  display: 'AI-generated draft (radflow)',
};
export const DEGRADED_TAG: Coding = {
  system: RADFLOW_TAG_SYSTEM,
  code: 'degraded',
  display: 'Rules-only: the model was unavailable',
};
/**
 * On the AI DiagnosticReport whose conclusion the rule check changed against the findings (a stat finding carried,
 * an unsupported one taken out): some of its words are the findings', not the model's. The edits are on the event.
 */
export const DRAFT_CHECKED_TAG: Coding = {
  system: RADFLOW_TAG_SYSTEM,
  code: 'draft-checked',
  display: 'Draft impression changed by the rule check against the findings',
};
/** On what the rule labeler alone decided (the worklist Task written before the model's draft): no AI involved. */
export const RULE_BASED_TAG: Coding = {
  system: RADFLOW_TAG_SYSTEM,
  code: 'rule-based',
  display: 'Rule-based worklist priority (radflow)',
};
export const SUPERSEDED_TAG: Coding = {
  system: RADFLOW_TAG_SYSTEM,
  code: 'superseded',
  display: 'Superseded by an enrichment of a newer version of the source report',
};
/**
 * Every resource radflow creates carries its unique key as a tag (the Provenance has no identifier element
 * in R4): the conditional creates match on it.
 */
export const WRITEBACK_KEY_TAG_SYSTEM = 'urn:radflow:writeback-key';
/** On AI reports: the source's accession (escaped like the key), to find every AI report of one exam. */
export const ACCESSION_TAG_SYSTEM = 'urn:radflow:accession';

/** Identifier systems: one per resource type radflow creates, so conditional creates match exactly one. */
export const IdentifierSystems = {
  aiReport: 'urn:radflow:ai-report',
  aiObservation: 'urn:radflow:ai-observation',
  aiTask: 'urn:radflow:ai-task',
  /** The worklist Task of one report version, written from the rules' priority as soon as the report is read. */
  worklistTask: 'urn:radflow:worklist-task',
  model: 'urn:radflow:model',
  /** The source report's accession, carried on the AI report to find every AI report of one exam. */
  accession: 'urn:radflow:accession',
} as const;

export const Extensions = {
  /** The signed report this AI draft was derived from (R4 DiagnosticReport has no element for it). */
  sourceReport: 'https://radflow.dev/fhir/StructureDefinition/source-report',
  sourceReportVersion: 'https://radflow.dev/fhir/StructureDefinition/source-report-version',
  sourceReportedAt: 'https://radflow.dev/fhir/StructureDefinition/source-reported-at',
  modelVersion: 'https://radflow.dev/fhir/StructureDefinition/model-version',
  /** One change the rule check made to the draft in `conclusion` (a fixed phrase, never report text); repeats. */
  draftCheck: 'https://radflow.dev/fhir/StructureDefinition/draft-check',
} as const;

export const ACCESSION_TYPE: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  code: 'ACSN',
  display: 'Accession ID',
};

export const LabelStateCodes: Record<'present' | 'absent' | 'uncertain', Coding[]> = {
  present: [
    { system: 'urn:radflow:label-state', code: 'present', display: 'Present' },
    { system: 'http://snomed.info/sct', code: '52101004', display: 'Present' },
  ],
  absent: [
    { system: 'urn:radflow:label-state', code: 'absent', display: 'Absent' },
    { system: 'http://snomed.info/sct', code: '2667000', display: 'Absent' },
  ],
  uncertain: [
    { system: 'urn:radflow:label-state', code: 'uncertain', display: 'Uncertain' },
    { system: 'http://snomed.info/sct', code: '42425007', display: 'Equivocal' },
  ],
};

/** radflow's own code systems for what no standard code names (the temporal comparison, the review task). */
export const RADFLOW_CODE_SYSTEMS = {
  observation: 'urn:radflow:observation',
  task: 'urn:radflow:task',
} as const;

export const LabelKindSystems = {
  abnormality: 'urn:radflow:label:abnormality',
  device: 'urn:radflow:label:device',
} as const;

export const RADIOLOGY_CATEGORY: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  code: 'RAD',
  display: 'Radiology',
};
export const IMAGING_OBSERVATION_CATEGORY: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/observation-category',
  code: 'imaging',
  display: 'Imaging',
};
/** When the source names no procedure code: LOINC "Diagnostic imaging study". */
export const FALLBACK_REPORT_CODE: Coding = {
  system: 'http://loinc.org',
  code: '18748-4',
  display: 'Diagnostic imaging study',
};
