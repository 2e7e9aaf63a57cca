import abnormalityJson from '../../../schemas/vocabularies/abnormality-labels.v1.json' with { type: 'json' };
import deviceJson from '../../../schemas/vocabularies/device-labels.v1.json' with { type: 'json' };

export interface VocabularyLabel {
  id: string;
  negbio?: string;
  chexpert?: string;
  mesh?: string[];
}

/** Label ids in vocabulary order, as the model writes them. */
export const ABNORMALITY_LABELS: readonly VocabularyLabel[] = abnormalityJson.labels;
export const DEVICE_LABELS: readonly VocabularyLabel[] = deviceJson.labels;
export const ABNORMALITY_IDS: readonly string[] = ABNORMALITY_LABELS.map((l) => l.id);
export const DEVICE_IDS: readonly string[] = DEVICE_LABELS.map((l) => l.id);
export const VOCABULARY_VERSIONS = {
  abnormality: abnormalityJson.version,
  device: deviceJson.version,
} as const;

/** The 14 NegBio / ChestX-ray14 label names of labels-negbio14.csv, mapped to vocabulary ids. */
export const NEGBIO_TO_LABEL: ReadonlyMap<string, string> = new Map(
  ABNORMALITY_LABELS.filter((l) => l.negbio !== undefined).map((l) => [l.negbio!, l.id]),
);
