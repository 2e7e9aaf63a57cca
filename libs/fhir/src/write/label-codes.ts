import type { Coding } from '@medplum/fhirtypes';
import abnormalityJson from '../../../../schemas/vocabularies/abnormality-labels.v1.json' with { type: 'json' };
import deviceJson from '../../../../schemas/vocabularies/device-labels.v1.json' with { type: 'json' };
import { LabelKindSystems } from './vocabulary.ts';

interface VocabularyEntry {
  id: string;
  codes?: { system: string; code: string; display: string }[];
}

const byId = (labels: readonly VocabularyEntry[]) =>
  new Map(labels.map((label) => [label.id, (label.codes ?? []).map((code) => ({ ...code }))]));

/** The SNOMED CT / RadLex codes of each label (schemas/vocabularies, `codes`), by kind and label id. */
const STANDARD_CODES: Record<keyof typeof LabelKindSystems, Map<string, Coding[]>> = {
  abnormality: byId(abnormalityJson.labels as VocabularyEntry[]),
  device: byId(deviceJson.labels as VocabularyEntry[]),
};

/** Standard codes of a label (a copy; empty for a label the vocabulary gives none or does not know). */
export function standardLabelCodes(kind: keyof typeof LabelKindSystems, label: string): Coding[] {
  return (STANDARD_CODES[kind].get(label) ?? []).map((coding) => ({ ...coding }));
}

/** The label's Observation.code codings: radflow's local code first, then the standard codes. */
export function labelCodings(kind: keyof typeof LabelKindSystems, label: string, display?: string): Coding[] {
  return [
    { system: LabelKindSystems[kind], code: label, ...(display ? { display } : {}) },
    ...standardLabelCodes(kind, label),
  ];
}
