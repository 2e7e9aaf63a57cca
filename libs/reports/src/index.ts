export type { RadiologyReport } from '@radflow/schemas';
export {
  InboundMessageError,
  INBOUND_ERROR_CODES,
  isInboundMessageError,
  type InboundErrorCode,
} from './inbound-error.ts';
export { patientKey, type PatientIdentifier } from './patient-key.ts';
export { parseSections, type ReportSections } from './sections.ts';
export {
  LOINC_SECTION_CODES,
  SECTION_HEADER_PHRASES,
  sectionOfTitle,
  type SectionKey,
} from './section-headers.ts';
export { priorHintsFromComparison, type PriorHints } from './prior-hints.ts';
export { analyzeReportText, type ReportTextAnalysis } from './report-text.ts';
export {
  selectFinalizedChestXray,
  DEFAULT_CHEST_XRAY_POLICY,
  type ChestXrayPolicy,
  type FilterDecision,
  type FilterRejectionCode,
  type ReportStatus,
} from './chest-xray-filter.ts';
export {
  chestXrayPolicyFrom,
  chestXraySettingsOf,
  type ChestXrayPolicySettings,
} from './chest-xray-settings.ts';
export {
  canonicalCodingSystem,
  isStandardProcedureSystem,
  LOINC_SYSTEM,
  CPT_SYSTEM,
  SNOMED_SYSTEM,
  RADLEX_SYSTEM,
} from './coding-systems.ts';
export {
  radiologistKey,
  radiologistModelName,
  parseRadiologistModelName,
  type ResultInterpreter,
} from './radiologist.ts';
export { draftCheckText, type DraftImpressionEdit } from './draft-check-text.ts';
