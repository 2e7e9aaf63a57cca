import { createHash } from 'node:crypto';
import type {
  Bundle,
  BundleEntry,
  CodeableConcept,
  Coding,
  DiagnosticReport,
  Identifier,
  Meta,
  Narrative,
  Patient,
  Period,
  Reference,
  ServiceRequest,
} from '@medplum/fhirtypes';
import {
  InboundMessageError,
  LOINC_SYSTEM,
  CPT_SYSTEM,
  analyzeReportText,
  patientKey,
  type RadiologyReport,
  type ReportSections,
  type ReportStatus,
} from '@radflow/reports';
import { BundleIndex, readNotification, type NotificationInfo } from './bundle-index.ts';
import { parseFhirJson } from './json-input.ts';
import { asArray, asLoose, asRecord, asString, asText, type Loose } from './loose.ts';
import { htmlToText } from './html-text.ts';
import { contains, observationParts, presentedFormText, type UnusedPart } from './report-content.ts';
import { readResultsInterpreter } from './results-interpreter.ts';

export interface ReadFhirOptions {
  /** Larger bodies are refused with OVERSIZED before parsing. */
  maxBytes: number;
  /** Salt for patient.key (see patientKey). */
  patientKeySalt: string;
  /** Identifier systems to prefer for the patient key, most preferred first (e.g. the MRN system). */
  preferredPatientIdentifierSystems?: readonly string[];
}

export type FhirReadResult =
  | {
      ok: true;
      reports: RadiologyReport[];
      /** DiagnosticReports a notification names but does not include (id-only / empty payloads): fetch them. */
      unresolved: string[];
      notification?: NotificationInfo;
    }
  | { ok: false; error: InboundMessageError };

const STATUSES: Record<string, ReportStatus> = {
  registered: 'registered',
  partial: 'partial',
  preliminary: 'preliminary',
  final: 'final',
  amended: 'amended',
  corrected: 'corrected',
  // R4 "appended": final with an addendum; the canonical model calls that amended.
  appended: 'amended',
  cancelled: 'cancelled',
  'entered-in-error': 'entered-in-error',
  unknown: 'unknown',
};

const FHIR_DATETIME =
  /^\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?$/;
const ACCESSION_TYPE = /^(?:ACSN|accession)$/i;

/**
 * Read an R4 DiagnosticReport event: the resource alone, any Bundle holding DiagnosticReports (transaction,
 * collection, searchset, history...), or a subscription notification (R4B/R5 SubscriptionStatus or the R4
 * backport Parameters first entry). One canonical report per DiagnosticReport; failures are typed, never thrown.
 */
export function readDiagnosticReportEvent(
  input: Uint8Array | string,
  options: ReadFhirOptions,
): FhirReadResult {
  if (options.patientKeySalt.length === 0)
    throw new Error('readDiagnosticReportEvent: patientKeySalt must not be empty');
  const parsed = parseFhirJson(input, options.maxBytes);
  if (parsed instanceof InboundMessageError) return fail(parsed);
  const root = asRecord(parsed);
  if (!root) return fail(new InboundMessageError('INVALID_FHIR', 'FHIR body is not a JSON object'));
  const resourceType = asString(root.resourceType);
  if (resourceType === undefined)
    return fail(new InboundMessageError('INVALID_FHIR', 'resourceType is missing', 'resourceType'));
  const digest = createHash('sha256')
    .update(typeof input === 'string' ? input : Buffer.from(input))
    .digest('hex')
    .slice(0, 32);

  if (resourceType === 'DiagnosticReport') {
    const index = new BundleIndex();
    index.add(root);
    const report = readReport(
      root,
      undefined,
      index,
      asText(root.id) ?? `sha256:${digest}`,
      options,
      'DiagnosticReport',
    );
    return report instanceof InboundMessageError
      ? fail(report)
      : { ok: true, reports: [report], unresolved: [] };
  }
  if (resourceType !== 'Bundle') {
    return fail(
      new InboundMessageError(
        'WRONG_RESOURCE_TYPE',
        `resourceType is ${resourceType.slice(0, 40)}, expected DiagnosticReport or Bundle`,
        'resourceType',
      ),
    );
  }

  const bundle = root as Loose<Bundle>;
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) {
    return fail(new InboundMessageError('INVALID_FHIR', 'Bundle.entry is not an array', 'Bundle.entry'));
  }
  const index = new BundleIndex();
  asArray(bundle.entry).forEach((value) => {
    const entry = asLoose<BundleEntry>(value);
    const resource = asRecord(entry?.resource);
    if (resource) index.add(resource, asText(entry?.fullUrl));
  });
  const notification = readNotification(bundle);
  const messageId = asText(bundle.id) ?? `sha256:${digest}`;
  const reports: RadiologyReport[] = [];
  const entries = index.ofType('DiagnosticReport');
  for (const [i, entry] of entries.entries()) {
    const report = readReport(
      entry.resource,
      entry.fullUrl,
      index,
      messageId,
      options,
      `Bundle.entry(DiagnosticReport ${i + 1})`,
    );
    if (report instanceof InboundMessageError) return fail(report);
    reports.push(report);
  }
  const unresolved = (notification?.focus ?? []).filter(
    (ref) => /DiagnosticReport\//.test(ref) && !index.resolve(ref),
  );
  if (reports.length === 0 && !notification) {
    const types =
      [...new Set(index.entries.map((e) => e.resourceType))].slice(0, 5).join(', ') || 'no resources';
    return fail(
      new InboundMessageError(
        'WRONG_RESOURCE_TYPE',
        `Bundle holds no DiagnosticReport (${types})`,
        'Bundle.entry',
      ),
    );
  }
  return notification ? { ok: true, reports, unresolved, notification } : { ok: true, reports, unresolved };
}

function readReport(
  resource: Record<string, unknown>,
  fullUrl: string | undefined,
  index: BundleIndex,
  messageId: string,
  options: ReadFhirOptions,
  at: string,
): RadiologyReport | InboundMessageError {
  const dr = resource as Loose<DiagnosticReport>;
  const unused: UnusedPart[] = [];
  const statusCode = asString(dr.status);
  const status = statusCode === undefined ? undefined : STATUSES[statusCode];
  if (status === undefined) {
    return new InboundMessageError(
      'INVALID_FHIR',
      statusCode === undefined
        ? 'DiagnosticReport.status is missing'
        : 'DiagnosticReport.status is not an R4 status code',
      'DiagnosticReport.status',
    );
  }
  const code = asLoose<CodeableConcept>(dr.code);
  if (!code)
    return new InboundMessageError(
      'INVALID_FHIR',
      'DiagnosticReport.code is missing',
      'DiagnosticReport.code',
    );

  // Text: the presented form as the EHR shows it, else the result Observations; then anything they lack.
  const presented = presentedFormText(asArray(dr.presentedForm), at, unused);
  const parts = observationParts(asArray(dr.result), resource, index, at, unused);
  let text = presented ?? '';
  const coded: ReportSections = {};
  for (const [i, part] of parts.entries()) {
    if (part.section && !coded[part.section]) coded[part.section] = part.text;
    if (presented !== undefined && contains(presented, part.text)) {
      unused.push({ location: `${at}.result[${i}]`, reason: 'narrative already in presentedForm' });
      continue;
    }
    text = text === '' ? part.text : `${text}\n${part.text}`;
  }
  const conclusion = asText(dr.conclusion);
  if (conclusion !== undefined && !contains(text, conclusion))
    text = text === '' ? conclusion : `${text}\n${conclusion}`;
  if (asArray(dr.conclusionCode).length > 0)
    unused.push({
      location: `${at}.conclusionCode`,
      reason: 'coded conclusion not carried (conclusion text kept)',
    });

  const narrative = asLoose<Narrative>(dr.text);
  const div = asString(narrative?.div);
  if (div !== undefined) {
    const authored =
      asString(narrative?.status) === 'additional' || asString(narrative?.status) === 'extensions';
    if (text === '' && authored) text = htmlToText(div);
    else
      unused.push({
        location: `${at}.text`,
        reason: authored
          ? 'narrative not carried (report text taken from presentedForm, results or conclusion)'
          : 'generated narrative not carried',
      });
  }
  asArray(dr.media).forEach((_, i) =>
    unused.push({ location: `${at}.media[${i}]`, reason: 'image link not carried' }),
  );

  const analysis = analyzeReportText(presented === undefined ? text : presented, coded);
  const sections = analysis.sections;
  if (conclusion !== undefined && sections.impression === undefined) sections.impression = conclusion;

  const patient = readPatient(asLoose<Reference>(dr.subject), resource, index, options);
  if (patient instanceof InboundMessageError) return patient;

  const id = asText(dr.id);
  const reportId = id ?? fullUrl ?? firstIdentifierValue(dr.identifier);
  const accession = readAccession(dr, resource, index) ?? firstIdentifierValue(dr.identifier) ?? reportId;
  if (accession === undefined || reportId === undefined) {
    return new InboundMessageError(
      'MISSING_FIELD',
      'DiagnosticReport has no accession, identifier or id',
      'DiagnosticReport.identifier',
    );
  }

  const meta = asLoose<Meta>(dr.meta);
  const versionId = asText(meta?.versionId);
  const issued = fhirDateTime(dr.issued, `${at}.issued`, unused);
  const period = asLoose<Period>(dr.effectivePeriod);
  const observedAt =
    fhirDateTime(dr.effectiveDateTime, `${at}.effectiveDateTime`, unused) ??
    fhirDateTime(period?.start, `${at}.effectivePeriod.start`, unused);

  const source: RadiologyReport['source'] = { kind: 'fhir', messageId };
  if (id) source.fhirReference = `DiagnosticReport/${id}`;
  const report: RadiologyReport = {
    source,
    reportId,
    reportVersion: versionId
      ? `version:${versionId}`
      : `${status}:${issued ?? asText(meta?.lastUpdated) ?? 'unversioned'}`,
    accession,
    patient,
    procedure: readProcedure(code),
    status,
    text,
    sections,
    unusedContent: unused,
  };
  if (observedAt) report.observedAt = observedAt;
  if (issued) report.reportedAt = issued;
  if (analysis.priorHints) report.priorHints = analysis.priorHints;
  const interpreter = readResultsInterpreter(dr.resultsInterpreter, resource, index);
  if (interpreter) report.resultInterpreter = interpreter;
  return report;
}

function readProcedure(code: Loose<CodeableConcept>): RadiologyReport['procedure'] {
  const codings = asArray(code.coding)
    .map((c) => asLoose<Coding>(c))
    .filter((c): c is Loose<Coding> => c !== undefined && asText(c.code) !== undefined);
  const chosen =
    codings.find((c) => asString(c.system) === LOINC_SYSTEM) ??
    codings.find((c) => asString(c.system) === CPT_SYSTEM) ??
    codings[0];
  const procedure: RadiologyReport['procedure'] = {};
  const value = asText(chosen?.code);
  if (value) procedure.code = value;
  const system = asText(chosen?.system);
  if (value && system) procedure.system = system;
  const text =
    asText(code.text) ?? asText(chosen?.display) ?? codings.map((c) => asText(c.display)).find((d) => d);
  if (text) procedure.text = text;
  return procedure;
}

function readPatient(
  subject: Loose<Reference> | undefined,
  report: Record<string, unknown>,
  index: BundleIndex,
  options: ReadFhirOptions,
): RadiologyReport['patient'] | InboundMessageError {
  if (!subject)
    return new InboundMessageError(
      'MISSING_FIELD',
      'DiagnosticReport.subject is missing',
      'DiagnosticReport.subject',
    );
  const reference = asText(subject.reference);
  const resolved = reference ? index.resolve(reference, report) : undefined;
  const patientResource =
    resolved?.resourceType === 'Patient' ? (resolved.resource as Loose<Patient>) : undefined;
  const identifiers = [
    asLoose<Identifier>(subject.identifier),
    ...asArray(patientResource?.identifier).map((i) => asLoose<Identifier>(i)),
  ].filter((i): i is Loose<Identifier> => i !== undefined && asText(i.value) !== undefined);
  const preferred = options.preferredPatientIdentifierSystems ?? [];
  const chosen =
    preferred.map((system) => identifiers.find((i) => asString(i.system) === system)).find((i) => i) ??
    identifiers.find((i) => hasTypeCode(i.type, 'MR')) ??
    identifiers[0];

  let fhirReference: string | undefined;
  if (resolved?.id && resolved.resourceType === 'Patient') fhirReference = `Patient/${resolved.id}`;
  else if (reference && /^(?:https?:\/\/.*\/)?Patient\/[^/]+$/.test(reference))
    fhirReference = reference.replace(/^.*\/(Patient\/[^/]+)$/, '$1');

  if (chosen) {
    const value = asText(chosen.value) ?? '';
    const system = asText(chosen.system);
    const identifier = system ? { system, value } : { value };
    const patient: RadiologyReport['patient'] = {
      key: patientKey(identifier, options.patientKeySalt),
      identifier,
    };
    if (fhirReference) patient.fhirReference = fhirReference;
    return patient;
  }
  if (fhirReference) {
    // No identifier anywhere: the server's logical reference is the most stable key there is.
    return {
      key: patientKey({ system: 'fhir-reference', value: fhirReference }, options.patientKeySalt),
      fhirReference,
    };
  }
  return new InboundMessageError(
    'MISSING_FIELD',
    'DiagnosticReport.subject has neither a Patient reference nor an identifier',
    'DiagnosticReport.subject',
  );
}

/** The accession: an identifier typed ACSN on the report, else on (or of) the ServiceRequest it is basedOn. */
function readAccession(
  dr: Loose<DiagnosticReport>,
  report: Record<string, unknown>,
  index: BundleIndex,
): string | undefined {
  const own = accessionIn(dr.identifier);
  if (own) return own;
  for (const value of asArray(dr.basedOn)) {
    const basedOn = asLoose<Reference>(value);
    const logical = asLoose<Identifier>(basedOn?.identifier);
    if (
      logical &&
      asText(logical.value) &&
      (hasTypeCode(logical.type, 'ACSN') || !asText(basedOn?.reference))
    )
      return asText(logical.value);
    const reference = asText(basedOn?.reference);
    const resolved = reference ? index.resolve(reference, report) : undefined;
    if (resolved?.resourceType === 'ServiceRequest') {
      const request = resolved.resource as Loose<ServiceRequest>;
      const fromRequest =
        accessionIn(request.identifier) ??
        asText(asLoose<Identifier>(request.requisition)?.value) ??
        firstIdentifierValue(request.identifier);
      if (fromRequest) return fromRequest;
    }
  }
  return undefined;
}

function accessionIn(identifiers: unknown): string | undefined {
  for (const value of asArray(identifiers)) {
    const identifier = asLoose<Identifier>(value);
    if (identifier && hasTypeCode(identifier.type, 'ACSN')) {
      const v = asText(identifier.value);
      if (v) return v;
    }
  }
  return undefined;
}

function hasTypeCode(type: unknown, code: string): boolean {
  const concept = asLoose<CodeableConcept>(type);
  if (!concept) return false;
  if (code === 'ACSN' && ACCESSION_TYPE.test(asText(concept.text) ?? '')) return true;
  return asArray(concept.coding).some((c) => asString(asLoose<Coding>(c)?.code) === code);
}

function firstIdentifierValue(identifiers: unknown): string | undefined {
  for (const value of asArray(identifiers)) {
    const v = asText(asLoose<Identifier>(value)?.value);
    if (v) return v;
  }
  return undefined;
}

function fhirDateTime(value: unknown, location: string, unused: UnusedPart[]): string | undefined {
  if (value === undefined) return undefined;
  const s = asString(value);
  if (s !== undefined && FHIR_DATETIME.test(s)) return s;
  unused.push({ location, reason: 'not a FHIR dateTime; not carried' });
  return undefined;
}

function fail(error: InboundMessageError): { ok: false; error: InboundMessageError } {
  return { ok: false, error };
}
