import abnormalityVocabulary from '../../../schemas/vocabularies/abnormality-labels.v1.json' with { type: 'json' };
import type { LabelAssignment } from '@radflow/metrics';
import { sha256Hex } from './hashing.ts';

/**
 * The fixed evaluation set: Open-i reports of the trainer's held-back test split (the same uid hash as
 * models/training/radflow_train/data.py, so no report the default model trained on is scored), with the NegBio
 * gold labels. Every candidate is scored on the same reports, in the same order.
 */
export interface OpenIReportRow {
  uid: string;
  indication?: string;
  comparison?: string;
  findings?: string;
  impression?: string;
}

/** A row of labels-negbio14.csv: `filename` = CXR<uid>, one 0/1 column per NegBio label. */
export type NegbioRow = Record<string, string>;

export interface EvaluationExample {
  id: string;
  /** Input of the impression task. */
  findings: string;
  /** Input of the label tasks: `SECTION: text` lines, as the trainer writes them. */
  reportText: string;
  /** Reference impression. */
  impression: string;
  /** Gold labels over `labelIds` (absent when not listed). */
  goldLabels: LabelAssignment;
}

export interface FixedEvaluationSet {
  examples: EvaluationExample[];
  /** The vocabulary ids the gold standard covers: only these are scored. */
  labelIds: string[];
}

const OPENI_SPLIT_SALT = 'radflow-openi-split-v1';

/** The trainer's split of an Open-i uid: bucket = first 8 hex of sha256(salt:uid) mod 100; [0,80) train, [80,90) validation, [90,100) test. */
export function openiSplitOf(uid: string): 'train' | 'validation' | 'test' {
  const bucket = parseInt(sha256Hex(`${OPENI_SPLIT_SALT}:${uid}`).slice(0, 8), 16) % 100;
  return bucket < 80 ? 'train' : bucket < 90 ? 'validation' : 'test';
}

const clean = (cell: string | undefined) => (cell ?? '').split(/\s+/).filter(Boolean).join(' ');

export function openiReportText(row: OpenIReportRow): string {
  return (['indication', 'comparison', 'findings', 'impression'] as const)
    .filter((section) => clean(row[section]))
    .map((section) => `${section.toUpperCase()}: ${clean(row[section])}`)
    .join('\n');
}

/** NegBio column name to vocabulary label id (e.g. Effusion to "pleural effusion"). */
export function negbioLabelIds(): Map<string, string> {
  return new Map(
    abnormalityVocabulary.labels.flatMap((label) =>
      'negbio' in label && label.negbio ? [[label.negbio, label.id] as [string, string]] : [],
    ),
  );
}

/**
 * The fixed set from Open-i rows: reports of `split` with findings, an impression and NegBio labels, in uid order,
 * the first `limit` of them.
 */
export function fixedEvaluationSet(
  reports: readonly OpenIReportRow[],
  negbio: readonly NegbioRow[],
  options: { split?: 'validation' | 'test'; limit: number },
): FixedEvaluationSet {
  const columns = negbioLabelIds();
  const goldByUid = new Map<string, LabelAssignment>();
  for (const row of negbio) {
    const uid = (row.filename ?? '').replace(/^CXR/, '');
    const gold: Record<string, 'present' | 'absent'> = {};
    for (const [column, id] of columns) gold[id] = row[column] === '1' ? 'present' : 'absent';
    goldByUid.set(uid, gold);
  }
  const examples = reports
    .filter(
      (r) =>
        openiSplitOf(r.uid) === (options.split ?? 'test') &&
        clean(r.findings) &&
        clean(r.impression) &&
        goldByUid.has(r.uid),
    )
    .sort((a, b) => Number(a.uid) - Number(b.uid))
    .slice(0, options.limit)
    .map((r) => ({
      id: r.uid,
      findings: clean(r.findings),
      reportText: openiReportText(r),
      impression: clean(r.impression),
      goldLabels: goldByUid.get(r.uid)!,
    }));
  return { examples, labelIds: [...columns.values()] };
}
