import type { Lexicon } from './types.ts';

const SIDE = String.raw`(?:(?:right|left|bilateral|bibasilar|biapical|lateral|posterior|both|the)\s+)*`;
const DEGREE = String.raw`(?:(?:\w+ly|borderline|again|now|still|somewhat|XXXX|at least)\s+)*`;

/**
 * Synonyms per abnormality label of schemas/vocabularies/abnormality-labels.v1.json. Written for chest X-ray
 * report language (Open-i, MIMIC-style): the aim is the NegBio / CheXpert meaning of each label, e.g. pleural
 * effusion includes blunting of the costophrenic angle and pleural fluid but not a pericardial effusion.
 */
export const ABNORMALITY_LEXICON: Lexicon = {
  atelectasis: {
    terms: [
      String.raw`\batelecta(?:sis|ses|tic)\b`,
      String.raw`\b(?:lobe|lung|lobar|segmental|subsegmental|complete|partial)\s+collapse\b`,
      String.raw`\bcollapse of (?:the |a |an )?(?:\w+\s+){0,3}(?:lung|lobe|lingula)\b`,
      String.raw`\bcollapsed (?:lung|lobe)\b`,
    ],
  },
  cardiomegaly: {
    terms: [
      String.raw`\bcardiomegaly\b`,
      String.raw`\bcardiac (?:enlargement|hypertrophy)\b`,
      String.raw`\b(?:enlarged|large|enlarging)\s+(?:heart|cardiac silhouette|cardiac shadow|cardiac size|heart size)\b`,
      String.raw`\benlargement of the (?:heart|cardiac silhouette|cardiac shadow)\b`,
      String.raw`\b(?:heart|cardiac silhouette|cardiac shadow|cardiac contour|heart size|cardiac size|heart shadow)\s+(?:XXXX\s+)?(?:size\s+)?(?:is|are|remains|appears|size is)?\s*${DEGREE}(?:enlarged|large|increased)\b`,
    ],
    // A prominent heart is often projection or habitus; "upper limits of normal" is normal and not listed at all.
    uncertainTerms: [
      String.raw`\b(?:heart|cardiac silhouette|cardiac shadow)\s+(?:is|appears)?\s*${DEGREE}prominent\b`,
      String.raw`\bprominent (?:heart|cardiac silhouette)\b`,
    ],
  },
  'pleural effusion': {
    terms: [
      String.raw`(?<!pericardial\s)(?<!joint\s)\beffusions?\b`,
      String.raw`\bpleural fluid\b`,
      String.raw`\bhydropneumothora(?:x|ces)\b`,
      String.raw`\bhydrothorax\b`,
      String.raw`\bfluid (?:in|within) the (?:right |left )?(?:minor |major )?fissure\b`,
      String.raw`\bfissural fluid\b`,
    ],
    // Blunting is a small effusion or pleural scarring: a hint, not a finding.
    uncertainTerms: [
      String.raw`\bblunt(?:ing|ed)?\s+(?:of\s+)?${SIDE}(?:costophrenic|cp|costodiaphragmatic)\b`,
      String.raw`\b(?:costophrenic|cp)\s+(?:angles?|sulcus|sulci|recess(?:es)?|XXXX)?\s*(?:is|are)?\s*${DEGREE}blunt(?:ing|ed)?\b`,
    ],
  },
  infiltration: {
    terms: [String.raw`\binfiltrat(?:e|es|ion|ions|ive)\b`],
  },
  mass: {
    terms: [String.raw`\bmass(?:es)?\b(?!\s+effect)`, String.raw`\bmass-?like\b`],
  },
  nodule: {
    terms: [String.raw`\bnodules?\b`, String.raw`\bmicronodul(?:e|es|ar)\b`],
    // A "nodular density" is as often a nipple, a rib end or a granuloma as a nodule.
    uncertainTerms: [String.raw`\bnodular(?:ity)?\b`],
  },
  pneumonia: {
    terms: [String.raw`\b(?:broncho)?pneumonias?\b`, String.raw`\bpneumonitis\b`],
  },
  pneumothorax: {
    terms: [String.raw`\b(?:hydro)?pneumothora(?:x|ces)\b`, String.raw`\bpleural air\b`, String.raw`\bptx\b`],
  },
  consolidation: {
    terms: [String.raw`\bconsolidat(?:ion|ions|ive|ed)\b`],
  },
  edema: {
    terms: [String.raw`(?<!soft tissue\s)(?<!soft-tissue\s)(?<!subcutaneous\s)\bo?edema(?:tous)?\b`],
  },
  emphysema: {
    terms: [
      // COPD is a clinical diagnosis, not the radiographic finding.
      String.raw`(?<!subcutaneous\s)(?<!soft tissue\s)\bemphysema(?:tous)?\b`,
    ],
  },
  fibrosis: {
    // Cystic fibrosis is a disease, named in reports as the cause of other findings.
    terms: [String.raw`(?<!cystic\s)\bfibro(?:sis|tic)\b`],
  },
  'pleural thickening': {
    terms: [
      String.raw`\bpleural(?:-based|\s+based)?\s+(?:and parenchymal\s+)?(?:thickening|thickenings|scarring)\b`,
      String.raw`\bthickening of the (?:\w+\s+)?pleura\b`,
      String.raw`\bthickened pleura\b`,
      String.raw`\bapical (?:pleural\s+)?cap(?:s|ping)?\b`,
      String.raw`\bpleuroparenchymal (?:thickening|scarring)\b`,
      String.raw`\bfissural thickening\b`,
      String.raw`\bthickening (?:in|of) the (?:\w+\s+)?fissures?\b`,
      String.raw`\bthickened (?:\w+\s+)?fissures?\b`,
    ],
  },
  hernia: {
    terms: [String.raw`\bhernia(?:tion)?s?\b`],
  },
  'lung opacity': {
    terms: [
      String.raw`\bopaci(?:ty|ties|fication|fications|fied)\b`,
      String.raw`\bair-?\s?space (?:disease|process)\b`,
      String.raw`\bdensit(?:y|ies)\b(?!\s+(?:of the )?(?:bones?|spine))`,
    ],
  },
  'enlarged cardiomediastinum': {
    terms: [
      String.raw`\bwid(?:ened|ening of the)\s+(?:superior\s+)?mediastinum\b`,
      String.raw`\bmediastinal widening\b`,
      String.raw`\bmediastinum (?:is|appears)?\s*${DEGREE}widened\b`,
      String.raw`\benlarged cardiomediastinal silhouette\b`,
      String.raw`\bcardiomediastinal silhouette (?:is|appears)?\s*${DEGREE}enlarged\b`,
    ],
  },
  fracture: {
    terms: [String.raw`\bfractur(?:e|es|ed)\b`, String.raw`\bfx\b`],
  },
  granuloma: {
    terms: [String.raw`\bgranulom(?:a|as|ata|atous)\b`],
  },
  scoliosis: {
    terms: [
      String.raw`\b(?:dextro|levo|thoracolumbar |thoracic )?scolio(?:sis|tic)\b`,
      String.raw`\b(?:dextro|levo)curvature\b`,
      String.raw`\bcurvature of the (?:thoracic |lumbar )?spine\b`,
    ],
  },
  pneumoperitoneum: {
    terms: [
      String.raw`\bpneumoperitoneum\b`,
      String.raw`\bfree (?:intraperitoneal |intra-abdominal |peritoneal |subdiaphragmatic )?air\b`,
      String.raw`\b(?:sub-?diaphragmatic|subphrenic) (?:free )?air\b`,
      String.raw`\bair (?:under|beneath|below) the ${SIDE}(?:hemi)?diaphragms?\b`,
    ],
  },
};
