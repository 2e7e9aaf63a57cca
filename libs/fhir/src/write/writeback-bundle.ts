import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Observation, Resource } from '@medplum/fhirtypes';
import type { Label, ReportEnrichedPayload } from '@radflow/schemas';
import {
  aiDiagnosticReport,
  labelObservation,
  modelDevice,
  priorityTask,
  temporalObservation,
  writebackProvenance,
  type AiContext,
  type LabelKind,
} from './ai-resources.ts';
import { DEFAULT_IDENTIFIER_SYSTEMS, type IdentifierSystemSettings } from './identifier-systems.ts';
import { withNarrative } from './narrative.ts';
import type { ReferenceTargets } from './reference-targets.ts';
import { sourceReportReference, subjectOf } from './references.ts';
import { retirementEntry, type SupersessionPlan } from './supersession.ts';
import { modelIdentity, tokenQuery, writebackKey } from './writeback-key.ts';
import { WRITEBACK_KEY_TAG_SYSTEM } from './vocabulary.ts';

export interface WritebackBundleOptions {
  /** Fresh urn:uuid values for intra-bundle references; injectable so tests get stable bundles. */
  newUuid?: () => string;
  /** What to retire in the same transaction, from planSupersession(); nothing by default. */
  supersession?: SupersessionPlan;
  /**
   * The patient and source report as found on the target server (referenceTargetsFrom); without them both
   * are referred to by identifier only, since a reference radflow has not checked may not resolve there.
   */
  targets?: ReferenceTargets;
  /** How HL7 assigning authorities become identifier system URIs (config.fhir.identifierSystems). */
  identifierSystems?: IdentifierSystemSettings;
}

function conditionalCreate(fullUrl: string, resource: Resource, ifNoneExist: string): BundleEntry {
  return { fullUrl, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist } };
}

/** The condition of a create: the resource's writeback-key tag (see keyTag). */
function keyTagQuery(resource: Resource): string {
  const code = resource.meta?.tag?.find((tag) => tag.system === WRITEBACK_KEY_TAG_SYSTEM)?.code;
  if (!code) throw new Error(`${resource.resourceType} lacks its writeback-key tag`);
  return tokenQuery('_tag', WRITEBACK_KEY_TAG_SYSTEM, code);
}

/** One Observation per label and kind: a label listed twice would make the conditional create ambiguous. */
function uniqueLabels(labels: Label[]): Label[] {
  const seen = new Set<string>();
  return labels.filter((label) => !seen.has(label.label) && (seen.add(label.label), true));
}

/**
 * One FHIR R4 transaction Bundle for one enriched report: a preliminary, AIAST-labelled DiagnosticReport with
 * one Observation per label (and the temporal comparison), a Task carrying the worklist priority, the model
 * Device and a Provenance naming the model as author. Every create is conditional on the resource's
 * writeback-key tag (unique per type, the same value as its identifier), so replaying the same enrichment
 * creates nothing twice. Earlier versions' AI resources named in `options.supersession` are retired in the same transaction.
 */
export function buildWritebackBundle(
  enriched: ReportEnrichedPayload,
  options: WritebackBundleOptions = {},
): Bundle {
  const newUrl = () => `urn:uuid:${(options.newUuid ?? randomUUID)()}`;
  const key = writebackKey(enriched);
  const deviceUrl = newUrl();
  const targets = options.targets ?? {};
  const subject = subjectOf(
    enriched.report,
    targets,
    options.identifierSystems ?? DEFAULT_IDENTIFIER_SYSTEMS,
  );
  const context: AiContext = {
    enriched,
    key,
    supersededOnArrival: options.supersession?.supersededOnArrival ?? false,
    deviceRef: { reference: deviceUrl, display: modelIdentity(enriched.enrichment.model) },
    ...(subject ? { subject } : {}),
    sourceReport: sourceReportReference(enriched.report, targets),
  };

  const labelled: [LabelKind, Label][] = [
    ...uniqueLabels(enriched.enrichment.abnormalities).map((label): [LabelKind, Label] => [
      'abnormality',
      label,
    ]),
    ...uniqueLabels(enriched.enrichment.devices).map((label): [LabelKind, Label] => ['device', label]),
  ];
  const observations: Observation[] = labelled.map(([kind, label]) => labelObservation(context, kind, label));
  const temporal = temporalObservation(context);
  if (temporal) observations.push(temporal);
  const observationUrls = observations.map(() => newUrl());

  const reportUrl = newUrl();
  const report = aiDiagnosticReport(
    context,
    observationUrls.map((reference) => ({ reference })),
  );
  const taskUrl = newUrl();
  const task = priorityTask(context, { reference: reportUrl });
  const provenance = writebackProvenance(
    context,
    [reportUrl, ...observationUrls, taskUrl].map((reference) => ({ reference })),
  );
  const device = modelDevice(enriched);

  // Every resource carries a generated narrative: what an EHR shows a clinician.
  const entries: BundleEntry[] = [
    conditionalCreate(deviceUrl, withNarrative(device), keyTagQuery(device)),
    conditionalCreate(reportUrl, withNarrative(report, observations), keyTagQuery(report)),
    ...observations.map((observation, index) =>
      conditionalCreate(observationUrls[index]!, withNarrative(observation), keyTagQuery(observation)),
    ),
    conditionalCreate(taskUrl, withNarrative(task), keyTagQuery(task)),
    conditionalCreate(newUrl(), withNarrative(provenance), keyTagQuery(provenance)),
    ...(options.supersession?.retire ?? []).map(retirementEntry),
  ];
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}
