import { createHash } from 'node:crypto';
import { draftCheckText } from '@radflow/reports';
import type { Label, RadiologyReport, ReportEnrichedPayload } from '@radflow/schemas';
import { composite, escapeHl7, hl7Timestamp, segmentAt, subcomponents } from './escape.ts';

export interface AiResultsOruOptions {
  /** MSH-3 / MSH-4: who sends the AI results (radflow by default). */
  sendingApplication?: string;
  sendingFacility?: string;
}

/** The HL7 version of the message: fixed, so receivers see one structure whatever the source's version was. */
export const ORU_VERSION = '2.5.1';

/**
 * OBX-2 of the coded OBX (labels, priority): CE, the coded-element type HL7 v2.5.1 lists in table 0125. CWE is
 * the better type (it says the code list may be extended locally) but enters table 0125 only in v2.6, and v2.5.1
 * receivers (HAPI's and hl7apy's models among them) refuse it there.
 */
export const ORU_CODED_VALUE_TYPE = 'CE';

/** The v2 null: "no value" for a field the standard requires. */
const HL7_NULL = '""';

/** Local coding systems (HL7 table 0396 reserves 99zzz for local use). */
export const OruCodingSystems = {
  abnormality: '99RFA',
  device: '99RFD',
  labelState: '99RFS',
  observation: '99RFO',
  priority: '99RFP',
  method: '99RFM',
} as const;

const STATE_CODES: Record<Label['state'], [string, string, string, string]> = {
  present: ['present', 'Present', '52101004', 'Present'],
  uncertain: ['uncertain', 'Uncertain', '42425007', 'Equivocal'],
  absent: ['absent', 'Absent', '2667000', 'Absent'],
};

const URI_TO_V2: Record<string, string> = {
  'http://loinc.org': 'LN',
  'http://www.ama-assn.org/go/cpt': 'C4',
  'http://snomed.info/sct': 'SCT',
  'http://www.radlex.org': 'RADLEX',
};

/** MSH-10 from the writeback's identity: a replayed message repeats its control id, so receivers can drop it. */
function controlId(enriched: ReportEnrichedPayload): string {
  const { report, enrichment } = enriched;
  const identity = [
    report.accession,
    report.reportVersion,
    enrichment.model.name,
    enrichment.model.version,
  ].join('\u0000');
  return `RF${createHash('sha256').update(identity).digest('hex').slice(0, 18)}`;
}

/** PID-3 as a CX: the source's identifier with its assigning authority, or radflow's patient key when absent. */
function patientIdentifier(report: RadiologyReport): string {
  const identifier = report.patient.identifier;
  if (!identifier) return `${escapeHl7(report.patient.key)}^^^${subcomponents('RADFLOW-PATIENT-KEY')}`;
  const system = identifier.system;
  let authority = '';
  if (system?.startsWith('urn:oid:')) authority = subcomponents('', system.slice('urn:oid:'.length), 'ISO');
  else if (system && /^[a-z][a-z0-9+.-]*:/i.test(system)) authority = subcomponents('', system, 'URI');
  else if (system) authority = subcomponents(system);
  return authority ? `${escapeHl7(identifier.value)}^^^${authority}` : escapeHl7(identifier.value);
}

/**
 * PID-5 (XPN, required in v2.5.1): the name the source sent (family^given^further given names^suffix^prefix), or
 * the v2 null `""` when radflow has none (a FHIR source, or a sender that left PID-5 empty). Never logged.
 */
function patientName(report: RadiologyReport): string {
  const name = report.patient.name;
  const given = (name?.given ?? []).filter((g) => g.trim() !== '');
  const xpn = composite(name?.family, given[0], given.slice(1).join(' '), name?.suffix, name?.prefix);
  return xpn === '' ? HL7_NULL : xpn;
}

function universalServiceId(procedure: RadiologyReport['procedure']): string {
  if (!procedure.code) return composite('18748-4', procedure.text ?? 'Diagnostic imaging study', 'LN');
  const system = procedure.system ? (URI_TO_V2[procedure.system] ?? procedure.system) : undefined;
  return composite(procedure.code, procedure.text, system);
}

/**
 * An HL7 v2.5.1 ORU^R01 with radflow's AI results for one report, for the RIS: the draft impression (TX,
 * one OBX per line), each present or uncertain label (CE) and the worklist priority with its reasons.
 * PID carries the source's identifier (PID-3) and name (PID-5, or the v2 null `""` when unknown).
 * Every OBX is preliminary (OBX-11 = P) and names the model and its version in OBX-17 (observation method)
 * and OBX-18 (equipment instance). The OBR carries the source's filler number and accession, result status P.
 */
export function buildAiResultsOru(
  enriched: ReportEnrichedPayload,
  options: AiResultsOruOptions = {},
): string {
  const { report, enrichment } = enriched;
  const modelId = `${enrichment.model.name}@${enrichment.model.version}`;
  const method = composite(
    modelId,
    `${enrichment.model.name} ${enrichment.model.version}`,
    OruCodingSystems.method,
  );
  const equipment = composite(modelId, 'RADFLOW');
  const observedAt = hl7Timestamp(report.observedAt);
  const analysedAt = hl7Timestamp(enrichment.generatedAt);

  const segments: string[] = [
    segmentAt('MSH', {
      2: '^~\\&',
      3: escapeHl7(options.sendingApplication ?? 'RADFLOW'),
      4: escapeHl7(options.sendingFacility ?? 'RADFLOW'),
      5: escapeHl7(report.source.sendingApplication ?? ''),
      6: escapeHl7(report.source.sendingFacility ?? ''),
      7: analysedAt,
      9: 'ORU^R01^ORU_R01',
      10: controlId(enriched),
      11: 'P',
      12: ORU_VERSION,
      15: 'NE',
      16: 'NE',
      18: 'UNICODE UTF-8',
    }),
    segmentAt('PID', { 1: '1', 3: patientIdentifier(report), 5: patientName(report) }),
    segmentAt('OBR', {
      1: '1',
      3: escapeHl7(report.source.kind === 'hl7v2' ? report.reportId : report.accession),
      4: universalServiceId(report.procedure),
      7: observedAt,
      18: escapeHl7(report.accession),
      22: analysedAt,
      24: 'RAD',
      25: 'P',
    }),
  ];

  const notes = [
    `Preliminary AI-generated results from ${enrichment.model.name} ${enrichment.model.version}; not reviewed by a radiologist.`,
  ];
  if (enrichment.degraded)
    notes.push('The model was unavailable: rule-based labels only (degraded), no draft impression.');
  else if (enrichment.draftImpressionEdits?.length)
    notes.push(
      `Draft impression checked against the findings by ${enrichment.rulesVersion ?? 'the rule labeler'}: ` +
        enrichment.draftImpressionEdits.map(draftCheckText).join('; ') +
        '.',
    );
  notes.forEach((note, index) =>
    segments.push(segmentAt('NTE', { 1: String(index + 1), 2: 'L', 3: escapeHl7(note) })),
  );

  let setId = 0;
  const obx = (valueType: string, observationId: string, subId: string, value: string, abnormalFlag = '') =>
    segmentAt('OBX', {
      1: String(++setId),
      2: valueType,
      3: observationId,
      4: subId,
      5: value,
      8: abnormalFlag,
      11: 'P',
      14: observedAt,
      17: method,
      18: equipment,
      19: analysedAt,
    });

  const impression = enrichment.degraded ? undefined : enrichment.draftImpression;
  const impressionLines = (impression ?? '')
    .split(/\r\n|\r|\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
  const impressionId = composite(
    'draft-impression',
    'AI draft impression',
    OruCodingSystems.observation,
    '19005-8',
    'Radiology Imaging study [Impression] (narrative)',
    'LN',
  );
  for (const line of impressionLines) segments.push(obx('TX', impressionId, '1', escapeHl7(line)));

  const labelled: [Label, string][] = [
    ...enrichment.abnormalities.map((label): [Label, string] => [label, OruCodingSystems.abnormality]),
    ...enrichment.devices.map((label): [Label, string] => [label, OruCodingSystems.device]),
  ];
  const written = new Set<string>();
  for (const [label, system] of labelled) {
    if (label.state === 'absent' || written.has(`${system}:${label.label}`)) continue;
    written.add(`${system}:${label.label}`);
    const [code, text, snomed, snomedText] = STATE_CODES[label.state];
    const flag = system === OruCodingSystems.abnormality && label.state === 'present' ? 'A' : '';
    segments.push(
      obx(
        ORU_CODED_VALUE_TYPE,
        composite(label.label, label.label, system),
        '',
        composite(code, text, OruCodingSystems.labelState, snomed, snomedText, 'SCT'),
        flag,
      ),
    );
  }

  const { level, reasons } = enrichment.priority;
  segments.push(
    obx(
      ORU_CODED_VALUE_TYPE,
      composite('worklist-priority', 'Worklist priority', OruCodingSystems.observation),
      '',
      composite(level, level.toUpperCase(), OruCodingSystems.priority),
    ),
  );
  reasons.forEach((reason, index) =>
    segments.push(segmentAt('NTE', { 1: String(index + 1), 2: 'L', 3: escapeHl7(reason) })),
  );

  return segments.join('\r');
}
