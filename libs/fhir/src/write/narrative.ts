import type {
  CodeableConcept,
  Coding,
  DiagnosticReport,
  Device,
  Narrative,
  Observation,
  Provenance,
  Resource,
  Task,
} from '@medplum/fhirtypes';
import {
  AI_ASSERTED,
  DEGRADED_TAG,
  Extensions,
  LabelKindSystems,
  RADFLOW_TAG_SYSTEM,
  SUPERSEDED_TAG,
} from './vocabulary.ts';

/**
 * The human-readable narrative (`text`, status generated) of every resource radflow writes: what an EHR shows
 * a clinician when it renders the resource. Generated from the resource's own elements (plus, for the AI
 * report, its result Observations), so it never says more than the data. FHIR narrative rules: an XHTML
 * `div` in the XHTML namespace, only basic formatting elements (p, b, table, ul, ...), no scripts, styles,
 * event attributes or links out; all data is escaped text.
 */
const XHTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';

/** Text as XHTML character data: characters XML 1.0 forbids are dropped, markup characters escaped. */
export function xhtmlText(value: string | undefined): string {
  return (value ?? '')
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const p = (html: string) => `<p>${html}</p>`;
const b = (text: string | undefined) => `<b>${xhtmlText(text)}</b>`;
const list = (items: string[]) =>
  items.length > 0 ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '';
const row = (heading: string, value: string | undefined) =>
  value ? `<tr><th>${xhtmlText(heading)}</th><td>${xhtmlText(value)}</td></tr>` : '';
const table = (rows: string[]) =>
  rows.some(Boolean) ? `<table><tbody>${rows.join('')}</tbody></table>` : '';

/** `2024-03-01T10:15:04.250Z` → `2024-03-01 10:15 UTC`; other forms (dates, offsets) as given. */
export function readableTime(value: string | undefined): string | undefined {
  const utc = value ? /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?Z$/.exec(value) : null;
  return utc ? `${utc[1]} ${utc[2]} UTC` : value?.replace('T', ' ');
}

/** Annotation text (markdown, see markdownText) as the plain text it stands for. */
const noteText = (markdown: string | undefined) => markdown?.replace(/\\([\\<>])/g, '$1');

const conceptText = (concept: CodeableConcept | undefined) =>
  concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? concept?.coding?.[0]?.code;

const SYSTEM_NAMES: Record<string, string> = {
  'http://snomed.info/sct': 'SNOMED CT',
  'http://www.radlex.org': 'RadLex',
  'http://loinc.org': 'LOINC',
};

/** The standard codes of a concept, e.g. "SNOMED CT 36118008 Pneumothorax; RadLex RID5352 pneumothorax". */
function standardCodes(codings: Coding[] | undefined): string | undefined {
  const named = (codings ?? []).filter((c) => c.system && SYSTEM_NAMES[c.system] && c.code);
  if (named.length === 0) return undefined;
  return named.map((c) => [SYSTEM_NAMES[c.system!], c.code, c.display].filter(Boolean).join(' ')).join('; ');
}

function hasTag(resource: Resource, tag: Coding): boolean {
  return (resource.meta?.tag ?? []).some((t) => t.system === tag.system && t.code === tag.code);
}

/** What a reader must know first: retired, AI-generated and unsigned, rules only. */
function banners(resource: Resource): string[] {
  const out: string[] = [];
  if ((resource as { status?: string }).status === 'entered-in-error')
    out.push(
      p(
        `${b('Entered in error')}: ${xhtmlText(
          hasTag(resource, SUPERSEDED_TAG)
            ? 'superseded by the AI results of a newer version of the source report. Do not use.'
            : 'withdrawn. Do not use.',
        )}`,
      ),
    );
  const ai =
    (resource.meta?.security ?? []).some(
      (s) => s.system === AI_ASSERTED.system && s.code === AI_ASSERTED.code,
    ) || (resource.meta?.tag ?? []).some((t) => t.system === RADFLOW_TAG_SYSTEM && t.code === 'ai-generated');
  if (ai && resource.resourceType !== 'Device')
    out.push(
      p(`${b('AI-generated draft')}: ${xhtmlText('preliminary, not reviewed or signed by a radiologist.')}`),
    );
  if (hasTag(resource, DEGRADED_TAG))
    out.push(
      p(xhtmlText('Rules only: the AI model was unavailable; these results come from the rule labeler.')),
    );
  return out;
}

function labelRow(observation: Observation): string {
  const by = observation.method?.text;
  return `<tr><td>${xhtmlText(conceptText(observation.code))}</td><td>${xhtmlText(
    observation.valueCodeableConcept?.text ?? conceptText(observation.valueCodeableConcept),
  )}</td><td>${xhtmlText(by)}</td></tr>`;
}

function diagnosticReportBody(report: DiagnosticReport, results: Observation[] | undefined): string[] {
  const extension = (url: string) => report.extension?.find((e) => e.url === url);
  const source = extension(Extensions.sourceReport)?.valueReference;
  const version = extension(Extensions.sourceReportVersion)?.valueString;
  const accession = source?.identifier?.value;
  const parts = [
    p(
      `${b(conceptText(report.code) ?? 'Radiology report')} ${xhtmlText(`(AI draft, status ${report.status})`)}`,
    ),
    table([
      row(
        'Source report',
        accession ? `accession ${accession}${version ? `, version ${version}` : ''}` : undefined,
      ),
      row('Observed', readableTime(report.effectiveDateTime)),
      row('Generated', readableTime(report.issued)),
      row('Model', extension(Extensions.modelVersion)?.valueString),
    ]),
  ];
  if (report.conclusion) parts.push(p(`${b('Draft impression')}: ${xhtmlText(report.conclusion)}`));
  const checks = (report.extension ?? []).filter((e) => e.url === Extensions.draftCheck);
  if (checks.length > 0)
    parts.push(
      p(
        `${b('Checked by the rules against the findings')}: ${xhtmlText(checks.map((e) => e.valueString).join('; '))}`,
      ),
    );
  const labels = (results ?? []).filter((o) => o.valueCodeableConcept);
  if (labels.length > 0)
    parts.push(
      `<table><thead><tr><th>Finding</th><th>Assessment</th><th>Labelled by</th></tr></thead><tbody>${labels
        .map(labelRow)
        .join('')}</tbody></table>`,
    );
  const comparison = (results ?? []).find((o) => o.valueString);
  if (comparison) parts.push(p(`${b(conceptText(comparison.code))}: ${xhtmlText(comparison.valueString)}`));
  if (!results && (report.result?.length ?? 0) > 0)
    parts.push(p(xhtmlText(`${report.result!.length} AI findings: see the linked Observations.`)));
  if (results && results.length === 0) parts.push(p(xhtmlText('No findings were labelled.')));
  return parts;
}

function observationBody(observation: Observation): string[] {
  const local = Object.values(LabelKindSystems) as string[];
  const isLabel = observation.code.coding?.some((c) => c.system && local.includes(c.system));
  const parts: string[] = [];
  if (isLabel && observation.valueCodeableConcept) {
    const value = observation.valueCodeableConcept.text ?? conceptText(observation.valueCodeableConcept);
    parts.push(
      p(
        `${b(conceptText(observation.code))}: ${b(value)}${
          observation.method?.text ? ` ${xhtmlText(`(${observation.method.text})`)}` : ''
        }`,
      ),
    );
    const codes = standardCodes(observation.code.coding);
    if (codes) parts.push(p(`${xhtmlText('Codes')}: ${xhtmlText(codes)}`));
  } else {
    parts.push(p(`${b(conceptText(observation.code))}: ${xhtmlText(observation.valueString)}`));
    parts.push(
      list(
        (observation.component ?? []).map(
          (component) => `${xhtmlText(conceptText(component.code))}: ${xhtmlText(component.valueString)}`,
        ),
      ),
    );
  }
  for (const note of observation.note ?? []) parts.push(p(xhtmlText(noteText(note.text))));
  parts.push(
    table([
      row('Observed', readableTime(observation.effectiveDateTime)),
      row('Generated', readableTime(observation.issued)),
      row('Status', observation.status),
    ]),
  );
  return parts;
}

function taskBody(task: Task): string[] {
  return [
    p(
      `${b(conceptText(task.code))}: ${xhtmlText('worklist priority')} ${b(task.priority?.toUpperCase())} ${xhtmlText(
        `(status ${task.status})`,
      )}`,
    ),
    list((task.note ?? []).map((note) => xhtmlText(noteText(note.text)))),
    table([row('Created', readableTime(task.authoredOn))]),
  ];
}

function deviceBody(device: Device): string[] {
  return [
    p(b(device.type?.text ?? 'Device')),
    table([
      row('Name', device.deviceName?.[0]?.name),
      row('Version', device.version?.[0]?.value),
      row('Identifier', device.identifier?.[0]?.value),
    ]),
  ];
}

function provenanceBody(provenance: Provenance): string[] {
  const author = provenance.agent.find((agent) => agent.who?.display)?.who?.display;
  const accession = provenance.entity?.find((entity) => entity.role === 'source')?.what.identifier?.value;
  return [
    p(
      xhtmlText(
        `Recorded ${readableTime(provenance.recorded)}: ${provenance.target.length} resources created by radflow` +
          `${author ? `, authored by ${author}` : ''}` +
          `${accession ? `, derived from the signed report with accession ${accession}` : ''}.`,
      ),
    ),
  ];
}

/** The generated narrative of a resource radflow writes; `results`: the AI report's Observations, when known. */
export function narrativeOf(resource: Resource, results?: Observation[]): Narrative {
  let body: string[];
  switch (resource.resourceType) {
    case 'DiagnosticReport':
      body = diagnosticReportBody(resource, results);
      break;
    case 'Observation':
      body = observationBody(resource);
      break;
    case 'Task':
      body = taskBody(resource);
      break;
    case 'Device':
      body = deviceBody(resource);
      break;
    case 'Provenance':
      body = provenanceBody(resource);
      break;
    default:
      body = [p(xhtmlText(resource.resourceType))];
  }
  const html = [...banners(resource), ...body].filter(Boolean).join('');
  return { status: 'generated', div: `<div xmlns="${XHTML_NAMESPACE}">${html}</div>` };
}

/** The resource with its narrative (placed after meta, where readers of the JSON expect it). */
export function withNarrative<T extends Resource>(resource: T, results?: Observation[]): T {
  const { resourceType, meta, text: _old, ...rest } = resource as T & { text?: Narrative };
  return {
    resourceType,
    ...(meta ? { meta } : {}),
    text: narrativeOf(resource, results),
    ...rest,
  } as unknown as T;
}
