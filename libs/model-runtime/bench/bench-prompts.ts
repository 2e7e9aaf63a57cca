import { buildPrompt, type SpecialTokens } from '@radflow/prompts';

// Written for the benchmark (no patient data): eight prompts of different tasks and lengths, like a mixed load.
const reports = [
  'FINDINGS: The heart size is normal. The lungs are clear. No pleural effusion or pneumothorax. IMPRESSION: No acute cardiopulmonary process.',
  'FINDINGS: Endotracheal tube terminates 4 cm above the carina. Right internal jugular central venous catheter tip in the SVC. Mild bibasilar atelectasis. IMPRESSION: Lines and tubes as above.',
  'FINDINGS: Moderate cardiomegaly with pulmonary vascular congestion and small bilateral pleural effusions. IMPRESSION: Findings consistent with mild pulmonary edema.',
  'FINDINGS: Left lower lobe consolidation. No pneumothorax. IMPRESSION: Left lower lobe pneumonia.',
];

/**
 * Answer budgets per prompt in the "mixed" scenario, as the service sets them per task: label lists and short
 * answers need few tokens, impressions more. A batched generate() has one budget, the largest.
 */
export const mixedBudgets = [64, 24, 24, 64, 16, 48, 48, 64];

export function benchPrompts(specialTokens: Partial<SpecialTokens>): string[] {
  const options = { specialTokens };
  return [
    buildPrompt(
      'impression',
      { findings: 'The heart size is normal. The lungs are clear. No pleural effusion or pneumothorax.' },
      options,
    ),
    buildPrompt('abnormality_labels', { report: reports[2] as string }, options),
    buildPrompt('device_labels', { report: reports[1] as string }, options),
    buildPrompt('extract_findings', { report: reports[0] as string }, options),
    buildPrompt(
      'qa_comprehension',
      { report: reports[3] as string, question: 'Is there a pneumothorax?' },
      options,
    ),
    buildPrompt(
      'temporal_findings',
      { report: reports[2] as string, priorReport: reports[0] as string },
      options,
    ),
    buildPrompt(
      'cleanup',
      { text: 'Interval increase of the small left pleural effusion, recommend follow-up.' },
      options,
    ),
    buildPrompt('impression', { findings: 'Left lower lobe consolidation. No pneumothorax.' }, options),
  ];
}
