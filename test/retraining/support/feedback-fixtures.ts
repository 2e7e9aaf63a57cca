import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { dataPath } from '@radflow/config';
import { createEnvelope, type Envelope } from '@radflow/events';
import { negbioLabelIds, openiReportText, openiSplitOf, type OpenIReportRow } from '@radflow/feedback';
import type {
  FeedbackPayload,
  RadiologyReport,
  ReportEnrichedPayload,
  ReportFinalizedPayload,
} from '@radflow/schemas';

const openiDir = dataPath('openi');

/** An Open-i report of the trainer's train split (never in the fixed evaluation set), with its NegBio labels. */
export interface TrainReport {
  uid: string;
  findings: string;
  impression: string;
  text: string;
  labels: string[];
}

/** The first `count` train-split Open-i reports with findings, impression and NegBio labels, read in place. */
export function trainSplitReports(count: number, skip = 0): TrainReport[] {
  const reportsCsv = join(openiDir, 'reports.csv');
  if (!existsSync(reportsCsv)) throw new Error(`Open-i data expected at ${reportsCsv}`);
  const rows = parse(readFileSync(reportsCsv), { columns: true }) as (OpenIReportRow &
    Record<string, string>)[];
  const negbio = parse(readFileSync(join(openiDir, 'labels-negbio14.csv')), { columns: true }) as Record<
    string,
    string
  >[];
  const columns = negbioLabelIds();
  const labelsByUid = new Map(
    negbio.map((row) => [
      row.filename!.replace(/^CXR/, ''),
      [...columns].filter(([c]) => row[c] === '1').map(([, id]) => id),
    ]),
  );
  return rows
    .filter(
      (r) =>
        openiSplitOf(r.uid) === 'train' &&
        r.findings?.trim() &&
        r.impression?.trim() &&
        labelsByUid.has(r.uid),
    )
    .slice(skip, skip + count)
    .map((r) => ({
      uid: r.uid,
      findings: r.findings!.trim(),
      impression: r.impression!.trim(),
      text: openiReportText(r),
      labels: labelsByUid.get(r.uid)!,
    }));
}

export function canonicalReport(
  source: TrainReport,
  accession: string,
  version: string,
  status: RadiologyReport['status'] = 'final',
): RadiologyReport {
  return {
    source: { kind: 'hl7v2', messageId: `MSG-${accession}-${version}` },
    reportId: accession,
    reportVersion: version,
    accession,
    patient: { key: createHash('sha256').update(accession).digest('hex').slice(0, 32) },
    procedure: { text: 'XR CHEST 2 VIEWS' },
    status,
    reportedAt: new Date().toISOString(),
    text: source.text,
    sections: { findings: source.findings, impression: source.impression },
    unusedContent: [],
  };
}

/** What the enricher would have stored for the report: a preliminary draft by `model`. */
export function enrichmentOf(
  report: RadiologyReport,
  model: { name: string; version: string },
  draftImpression: string,
): ReportEnrichedPayload {
  return {
    report,
    enrichment: {
      status: 'preliminary',
      aiGenerated: true,
      model,
      degraded: false,
      draftImpression,
      abnormalities: [],
      devices: [],
      priority: { level: 'routine', reasons: [] },
      generatedAt: new Date().toISOString(),
    },
  };
}

/** A radiologist's verdict: the impression as they signed it, the labels as NegBio has them. */
export function reviewOf(
  source: TrainReport,
  accession: string,
  reviewerId: string,
): Omit<FeedbackPayload, 'feedbackId' | 'source' | 'submittedAt'> {
  return {
    accession,
    reviewerId,
    outputs: [
      { output: 'impression', verdict: 'edit', correctedText: source.impression },
      {
        output: 'abnormalities',
        verdict: 'edit',
        correctedLabels: source.labels.map((label) => ({ label, state: 'present' as const })),
      },
    ],
  };
}

/** The `rad.report.finalized` event ingest would publish for a report, as the tests send it to the retrainer's stages. */
export function finalizedEnvelope(
  report: RadiologyReport,
  producer: string,
): Envelope<ReportFinalizedPayload> {
  return createEnvelope(
    'rad.report.finalized',
    1,
    { report },
    { sourceMessageId: report.source.messageId, producer },
  );
}
