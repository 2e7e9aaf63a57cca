import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource, Task } from '@medplum/fhirtypes';
import type { ReportTriagedPayload } from '@radflow/schemas';
import { epochMillis, fhirText, markdownText, toFhirDateTime, toFhirInstant } from './fhir-primitives.ts';
import { DEFAULT_IDENTIFIER_SYSTEMS, type IdentifierSystemSettings } from './identifier-systems.ts';
import { withNarrative } from './narrative.ts';
import type { ReferenceTargets } from './reference-targets.ts';
import { sourceReportReference, subjectOf } from './references.ts';
import { extensionValue, isActive, retirementEntry } from './supersession.ts';
import { escapeKeyPart, tokenQuery } from './writeback-key.ts';
import {
  ACCESSION_TAG_SYSTEM,
  Extensions,
  IdentifierSystems,
  RADFLOW_CODE_SYSTEMS,
  RULE_BASED_TAG,
  SUPERSEDED_TAG,
  WRITEBACK_KEY_TAG_SYSTEM,
} from './vocabulary.ts';

/**
 * The worklist Task is written from the rule labeler's priority as soon as a report is read, before the model has
 * drafted anything: a STAT finding reaches the worklist without waiting behind the model's queue. It is one Task
 * per source report version (no model in its key), rule-based (no AIAST label), and points at the signed report.
 * The AI writeback's own "review the AI draft" Task follows later, separately.
 */
export function worklistTaskKey(report: ReportTriagedPayload['report']): string {
  return [report.accession, report.reportVersion].map(escapeKeyPart).join('/');
}

/** Every worklist Task of one exam (all report versions), to retire the older versions'. */
export function worklistTaskSearch(report: ReportTriagedPayload['report']): string {
  return `Task?${tokenQuery('_tag', ACCESSION_TAG_SYSTEM, escapeKeyPart(report.accession))}&_count=50`;
}

export interface WorklistTaskOptions {
  targets?: ReferenceTargets;
  identifierSystems?: IdentifierSystemSettings;
  /** Earlier versions' worklist Tasks to retire in the same transaction (planWorklistTaskSupersession). */
  retire?: Resource[];
  /** A newer version's Task is already there: this one is written retired. */
  supersededOnArrival?: boolean;
}

export function worklistTask(triaged: ReportTriagedPayload, options: WorklistTaskOptions = {}): Task {
  const { report, triage } = triaged;
  const key = worklistTaskKey(report);
  const given = triage.priority.reasons.flatMap((reason) => fhirText(reason) ?? []);
  const reasons = given.length > 0 ? given : ['no priority rule matched'];
  const subject = subjectOf(report, options.targets, options.identifierSystems ?? DEFAULT_IDENTIFIER_SYSTEMS);
  const reportedAt = toFhirDateTime(report.reportedAt);
  const tag = [
    RULE_BASED_TAG,
    { system: WRITEBACK_KEY_TAG_SYSTEM, code: key },
    { system: ACCESSION_TAG_SYSTEM, code: escapeKeyPart(report.accession) },
    ...(options.supersededOnArrival ? [SUPERSEDED_TAG] : []),
  ];
  return {
    resourceType: 'Task',
    meta: { tag },
    extension: [
      { url: Extensions.sourceReportVersion, valueString: report.reportVersion },
      ...(reportedAt && epochMillis(reportedAt) !== undefined
        ? [{ url: Extensions.sourceReportedAt, valueDateTime: reportedAt }]
        : []),
    ],
    identifier: [{ system: IdentifierSystems.worklistTask, value: key }],
    status: options.supersededOnArrival ? 'entered-in-error' : 'requested',
    intent: 'proposal',
    priority: triage.priority.level,
    code: {
      coding: [
        {
          system: RADFLOW_CODE_SYSTEMS.task,
          code: 'worklist-priority',
          display: 'Attend to the report at its worklist priority',
        },
      ],
      text: 'Attend to the report at its worklist priority',
    },
    description: `Worklist priority ${triage.priority.level} (rules ${triage.labeler.name}@${triage.labeler.version}): ${reasons.join('; ')}`,
    focus: sourceReportReference(report, options.targets),
    ...(subject ? { for: subject } : {}),
    authoredOn: toFhirInstant(triage.triagedAt),
    note: reasons.map((text) => ({ text: markdownText(text) })),
  };
}

/**
 * Which worklist Tasks of the same exam an amended or corrected report retires: those of other versions reported
 * earlier (or at unknown times: the version read last wins). A version reported later than this one means this
 * one arrives late and is written already retired.
 */
export function planWorklistTaskSupersession(
  triaged: ReportTriagedPayload,
  found: Resource[],
): { retire: Task[]; supersededOnArrival: boolean } {
  const key = worklistTaskKey(triaged.report);
  const incomingAt = epochMillis(triaged.report.reportedAt);
  const retire: Task[] = [];
  let supersededOnArrival = false;
  for (const task of found) {
    if (task.resourceType !== 'Task' || !task.id || !isActive(task)) continue;
    const identifier = task.identifier?.find((id) => id.system === IdentifierSystems.worklistTask);
    if (!identifier || identifier.value === key) continue;
    const existingAt = epochMillis(extensionValue(task, Extensions.sourceReportedAt));
    if (incomingAt !== undefined && existingAt !== undefined && existingAt > incomingAt) {
      supersededOnArrival = true;
      continue;
    }
    retire.push(task);
  }
  return { retire, supersededOnArrival };
}

/** One transaction: the Task (created once: conditional on its key tag) and the retirement of older ones. */
export function worklistTaskBundle(triaged: ReportTriagedPayload, options: WorklistTaskOptions = {}): Bundle {
  const task = withNarrative(worklistTask(triaged, options));
  const key = worklistTaskKey(triaged.report);
  const entries: BundleEntry[] = [
    {
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: task,
      request: {
        method: 'POST',
        url: 'Task',
        ifNoneExist: tokenQuery('_tag', WRITEBACK_KEY_TAG_SYSTEM, key),
      },
    },
    ...(options.retire ?? []).map(retirementEntry),
  ];
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}
