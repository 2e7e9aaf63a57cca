/**
 * The modality of a procedure, for the worklist filter. The canonical report carries the procedure code and
 * name, not the modality (OBR-24 / ImagingStudy are not read), so it is read from those: LOINC and CPT chest
 * radiograph codes and the usual abbreviations in procedure names. Unknown procedures are 'other'.
 */
const CODE_MODALITY: Record<string, string> = {
  // CPT chest radiographs
  '71045': 'XR',
  '71046': 'XR',
  '71047': 'XR',
  '71048': 'XR',
  // LOINC chest radiographs
  '36643-5': 'XR',
  '36554-4': 'XR',
  '24648-8': 'XR',
  '30745-4': 'XR',
  '36572-6': 'XR',
};

const NAME_PATTERNS: [RegExp, string][] = [
  [/\b(CT|CTA|computed tomograph)/i, 'CT'],
  [/\b(MR|MRI|MRA|magnetic resonance)\b/i, 'MR'],
  [/\b(US|ultrasound|sonograph)/i, 'US'],
  [/\b(NM|PET|nuclear)\b/i, 'NM'],
  [/\b(XR|CR|DX|x-?ray|radiograph|portable chest|chest (pa|ap)|chest \d ?v)/i, 'XR'],
];

export function modalityOf(procedure: { code?: string; text?: string }): string {
  const byCode = procedure.code ? CODE_MODALITY[procedure.code.trim()] : undefined;
  if (byCode) return byCode;
  const name = procedure.text ?? '';
  for (const [pattern, modality] of NAME_PATTERNS) if (pattern.test(name)) return modality;
  return 'other';
}
