import type {
  Coding,
  Device,
  DiagnosticReport,
  Extension,
  Meta,
  Observation,
  ObservationComponent,
  Patient,
  Provenance,
  Reference,
  Task,
} from '@medplum/fhirtypes';
import { draftCheckText } from '@radflow/reports';
import type { Label, ReportEnrichedPayload } from '@radflow/schemas';
import { epochMillis, fhirText, markdownText, toFhirDateTime, toFhirInstant } from './fhir-primitives.ts';
import { labelCodings } from './label-codes.ts';
import { procedureCode, searchableAccessionIdentifier } from './references.ts';
import { escapeKeyPart, modelIdentity } from './writeback-key.ts';
import {
  AI_ASSERTED,
  ACCESSION_TAG_SYSTEM,
  AI_GENERATED_TAG,
  DEGRADED_TAG,
  DRAFT_CHECKED_TAG,
  Extensions,
  IdentifierSystems,
  IMAGING_OBSERVATION_CATEGORY,
  LabelKindSystems,
  LabelStateCodes,
  RADFLOW_CODE_SYSTEMS,
  RADIOLOGY_CATEGORY,
  SUPERSEDED_TAG,
  WRITEBACK_KEY_TAG_SYSTEM,
} from './vocabulary.ts';

export type LabelKind = keyof typeof LabelKindSystems;

/** What every AI resource of one writeback shares. */
export interface AiContext {
  enriched: ReportEnrichedPayload;
  key: string;
  /** Written already retired: a newer version of the source report has AI resources that stay active. */
  supersededOnArrival: boolean;
  /** The model Device (bundle-internal reference, its display the model's name and version). */
  deviceRef: Reference<Device>;
  /** The patient as the target server knows them (see subjectOf); undefined when the source named none. */
  subject?: Reference<Patient>;
  /** The signed source report (see sourceReportReference). */
  sourceReport: Reference<DiagnosticReport>;
}

/**
 * The tag a conditional create matches on: unique per resource type, and a `_tag` search is a plain token
 * match on every server (an `identifier` search on the local Medplum server evaluates a union expression
 * over every resource type and is a hundred times slower).
 */
export function keyTag(code: string): Coding {
  return { system: WRITEBACK_KEY_TAG_SYSTEM, code };
}

/** AIAST on every resource the model produced, plus radflow's tags (degraded, superseded) for people and searches. */
export function aiMeta(context: AiContext, writebackKeyTag: string, extraTags: Coding[] = []): Meta {
  const tag = [AI_GENERATED_TAG, keyTag(writebackKeyTag), ...extraTags];
  if (context.enriched.enrichment.degraded) tag.push(DEGRADED_TAG);
  if (context.supersededOnArrival) tag.push(SUPERSEDED_TAG);
  return { security: [AI_ASSERTED], tag };
}

function common(context: AiContext) {
  const { report, enrichment } = context.enriched;
  const subject = context.subject;
  const effective = toFhirDateTime(report.observedAt);
  return {
    ...(subject ? { subject } : {}),
    ...(effective ? { effectiveDateTime: effective } : {}),
    issued: toFhirInstant(enrichment.generatedAt),
  };
}

export function aiDiagnosticReport(context: AiContext, results: Reference<Observation>[]): DiagnosticReport {
  const { report, enrichment } = context.enriched;
  const extension: Extension[] = [
    { url: Extensions.sourceReport, valueReference: context.sourceReport },
    { url: Extensions.sourceReportVersion, valueString: report.reportVersion },
    { url: Extensions.modelVersion, valueString: modelIdentity(enrichment.model) },
  ];
  const reportedAt = toFhirDateTime(report.reportedAt);
  if (reportedAt && epochMillis(reportedAt) !== undefined) {
    extension.push({ url: Extensions.sourceReportedAt, valueDateTime: reportedAt });
  }
  // A degraded (rules-only) enrichment has no model text: never present rule output as an impression.
  const conclusion = enrichment.degraded ? undefined : fhirText(enrichment.draftImpression);
  if (conclusion)
    for (const edit of enrichment.draftImpressionEdits ?? [])
      extension.push({ url: Extensions.draftCheck, valueString: draftCheckText(edit) });
  return {
    resourceType: 'DiagnosticReport',
    meta: aiMeta(context, context.key, [
      { system: ACCESSION_TAG_SYSTEM, code: escapeKeyPart(report.accession) },
      ...(conclusion && enrichment.draftImpressionEdits?.length ? [DRAFT_CHECKED_TAG] : []),
    ]),
    extension,
    identifier: [
      { system: IdentifierSystems.aiReport, value: context.key },
      searchableAccessionIdentifier(report.accession),
    ],
    status: context.supersededOnArrival ? 'entered-in-error' : 'preliminary',
    category: [{ coding: [RADIOLOGY_CATEGORY] }],
    code: procedureCode(report.procedure),
    ...common(context),
    ...(results.length > 0 ? { result: results } : {}),
    ...(conclusion ? { conclusion } : {}),
  };
}

export function labelObservation(context: AiContext, kind: LabelKind, label: Label): Observation {
  const value = `${context.key}/${kind}/${escapeKeyPart(label.label)}`;
  return {
    resourceType: 'Observation',
    meta: aiMeta(context, value),
    identifier: [{ system: IdentifierSystems.aiObservation, value }],
    status: context.supersededOnArrival ? 'entered-in-error' : 'preliminary',
    category: [{ coding: [IMAGING_OBSERVATION_CATEGORY] }],
    // radflow's local code, then the label's SNOMED CT / RadLex codes (schemas/vocabularies).
    code: { coding: labelCodings(kind, label.label, fhirText(label.label)), text: fhirText(label.label) },
    ...common(context),
    valueCodeableConcept: { coding: LabelStateCodes[label.state], text: label.state },
    method: { text: label.source === 'model' ? 'AI model' : 'rule labeler' },
    device: context.deviceRef,
  };
}

/** The temporal diff against the prior report as one Observation; undefined when there was nothing to compare. */
export function temporalObservation(context: AiContext): Observation | undefined {
  const temporal = context.enriched.enrichment.temporal;
  if (!temporal) return undefined;
  const part = (name: string, value: string | undefined): ObservationComponent[] => {
    const text = fhirText(value);
    return text ? [{ code: { text: name }, valueString: text }] : [];
  };
  const component: ObservationComponent[] = [
    ...temporal.added.flatMap((finding) => part('added', finding)),
    ...temporal.removed.flatMap((finding) => part('removed', finding)),
    ...temporal.changed.flatMap((change) => part(`changed: ${change.progression}`, change.finding)),
    ...(temporal.labelDiff ?? []).flatMap((diff) =>
      part(`label ${fhirText(diff.label) ?? ''}`.trim(), `${diff.before} -> ${diff.after}`),
    ),
  ];
  const priorAccession = fhirText(temporal.priorAccession);
  if (component.length === 0 && !priorAccession) return undefined;
  const summary =
    component.length === 0
      ? 'No change from the prior report.'
      : `Added: ${temporal.added.length}, removed: ${temporal.removed.length}, changed: ${temporal.changed.length} versus the prior report.`;
  return {
    resourceType: 'Observation',
    meta: aiMeta(context, `${context.key}/temporal`),
    identifier: [{ system: IdentifierSystems.aiObservation, value: `${context.key}/temporal` }],
    status: context.supersededOnArrival ? 'entered-in-error' : 'preliminary',
    category: [{ coding: [IMAGING_OBSERVATION_CATEGORY] }],
    code: {
      coding: [{ system: RADFLOW_CODE_SYSTEMS.observation, code: 'temporal-comparison' }],
      text: 'Change since the prior report',
    },
    ...common(context),
    valueString: summary,
    ...(component.length > 0 ? { component } : {}),
    ...(priorAccession ? { note: [{ text: markdownText(`Prior accession ${priorAccession}`) }] } : {}),
    device: context.deviceRef,
  };
}

/** The worklist entry: a Task whose priority is the enrichment's, with the reasons a radiologist reads. */
export function priorityTask(context: AiContext, reportRef: Reference): Task {
  const { priority, generatedAt } = context.enriched.enrichment;
  const subject = context.subject;
  const given = priority.reasons.flatMap((reason) => fhirText(reason) ?? []);
  const reasons = given.length > 0 ? given : ['no priority rule matched'];
  return {
    resourceType: 'Task',
    meta: aiMeta(context, context.key),
    identifier: [{ system: IdentifierSystems.aiTask, value: context.key }],
    status: context.supersededOnArrival ? 'entered-in-error' : 'requested',
    intent: 'proposal',
    priority: priority.level,
    code: {
      coding: [
        {
          system: RADFLOW_CODE_SYSTEMS.task,
          code: 'review-ai-draft',
          display: 'Review the AI-generated draft',
        },
      ],
      text: 'Review the AI-generated draft',
    },
    description: `Worklist priority ${priority.level}: ${reasons.join('; ')}`,
    focus: reportRef,
    ...(subject ? { for: subject } : {}),
    authoredOn: toFhirInstant(generatedAt),
    note: reasons.map((text) => ({ text: markdownText(text) })),
  };
}

/** The model (or, when degraded, the rule labeler) as a Device: one per name and version, shared by reports. */
export function modelDevice(enriched: ReportEnrichedPayload): Device {
  const { model, degraded } = enriched.enrichment;
  return {
    resourceType: 'Device',
    meta: { tag: [keyTag(escapeKeyPart(modelIdentity(model)))] },
    identifier: [{ system: IdentifierSystems.model, value: modelIdentity(model) }],
    status: 'active',
    deviceName: [{ name: fhirText(model.name) ?? 'unnamed model', type: 'model-name' }],
    version: [{ value: fhirText(model.version) ?? 'unknown' }],
    type: { text: degraded ? 'Rule-based report labeler (radflow)' : 'AI report model (radflow)' },
  };
}

/** Why the enricher sent the report to this model (enrichment.model.route): the author agent's role. */
const MODEL_ROUTE_SYSTEM = 'urn:radflow:model-route';
const MODEL_ROUTE_DISPLAY = {
  radiologist: "The signing radiologist's own model (adapter)",
  canary: 'Canary: a candidate serving a share of reports',
  serving: 'The serving shared model',
} as const;

/**
 * The model as the author of everything this writeback created, derived from the signed source report. The agent
 * names the model version that drafted (its Device, displayed name@version: a radiologist's adapter is
 * `<shared>~r-<key>`), and, when the enricher routed the report, why it was that model (agent.role).
 */
export function writebackProvenance(context: AiContext, targets: Reference[]): Provenance {
  const recorded = toFhirInstant(context.enriched.enrichment.generatedAt);
  const route = context.enriched.enrichment.model.route;
  return {
    resourceType: 'Provenance',
    meta: { tag: [AI_GENERATED_TAG, keyTag(context.key)] },
    target: targets,
    occurredDateTime: recorded,
    recorded,
    activity: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
          code: 'CREATE',
          display: 'create',
        },
      ],
    },
    agent: [
      {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
              code: 'author',
              display: 'Author',
            },
          ],
        },
        who: context.deviceRef,
        ...(route
          ? {
              role: [
                {
                  coding: [{ system: MODEL_ROUTE_SYSTEM, code: route, display: MODEL_ROUTE_DISPLAY[route] }],
                },
              ],
            }
          : {}),
      },
    ],
    entity: [{ role: 'source', what: context.sourceReport }],
  };
}
