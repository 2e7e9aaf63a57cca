import type { RadiologyReport } from '@radflow/schemas';
import { CPT_SYSTEM, LOINC_SYSTEM } from './coding-systems.ts';

export type ReportStatus = RadiologyReport['status'];

export interface ChestXrayPolicy {
  /** Report statuses that count as finalized. */
  acceptedStatuses: readonly ReportStatus[];
  /** LOINC codes of chest radiographs (matched when the system is LOINC or not given). */
  loincCodes: readonly string[];
  /** CPT codes of chest radiographs (matched when the system is CPT or not given). */
  cptCodes: readonly string[];
  /** Sender-local codes of chest radiographs (any system), e.g. a hospital's own order codes. */
  localCodes: readonly string[];
  /** Free-text procedure descriptions that name a chest radiograph. */
  textPatterns: readonly RegExp[];
  /** Free-text descriptions that rule a chest radiograph out even if a text pattern matched (CT, MR, ribs...). */
  excludeTextPatterns: readonly RegExp[];
}

export type FilterRejectionCode = 'STATUS_NOT_ACCEPTED' | 'NOT_CHEST_XRAY';

export type FilterDecision =
  | { accepted: true; matchedBy: 'code' | 'text' }
  | { accepted: false; code: FilterRejectionCode; reason: string };

/**
 * Default: final, amended and corrected reports of plain chest radiographs.
 * LOINC: XR Chest 2 views (36643-5), single view (36554-4), views (30745-4), PA upright (24648-8), AP and lateral
 * (36687-2), PA and lateral (24646-2), portable views (30746-2), decubitus views (24650-4), portable decubitus (103456-0).
 * CPT: 71045-71048 (since 2018) and the retired 71010, 71015, 71020, 71021, 71022, 71030, 71035.
 * Sites extend `localCodes` with their own order codes, or change any list, through the `chestXray` section of
 * RADFLOW_RULES_FILE (chestXrayPolicyFrom; the apps build the policy from config.rules.chestXray).
 */
export const DEFAULT_CHEST_XRAY_POLICY: ChestXrayPolicy = {
  acceptedStatuses: ['final', 'amended', 'corrected'],
  loincCodes: [
    '36643-5',
    '36554-4',
    '30745-4',
    '24648-8',
    '36687-2',
    '24646-2',
    '30746-2',
    '24650-4',
    '103456-0',
  ],
  cptCodes: [
    '71045',
    '71046',
    '71047',
    '71048',
    '71010',
    '71015',
    '71020',
    '71021',
    '71022',
    '71030',
    '71035',
  ],
  localCodes: [],
  textPatterns: [
    /\bcxr\b/i,
    /\b(?:xr|x-?ray|x ray|dx|cr|radiograph(?:y|s)?|film|plain film)\b[^\n]{0,40}\b(?:chest|thorax|thoracic)\b/i,
    /\b(?:chest|thorax)\b[^\n]{0,40}\b(?:xr|x-?ray|x ray|radiograph(?:y|s)?|film|views?|pa|ap|lat(?:eral)?|frontal|portable|port|1v|2v|1 ?vw|2 ?vw|single view|decub(?:itus)?)\b/i,
    /\b(?:portable|port|pa|ap|frontal)\b[^\n]{0,30}\b(?:chest|thorax)\b/i,
    /^\s*chest\s*$/i,
  ],
  excludeTextPatterns: [
    /\b(?:ct|cta|hrct|mri?|mra|pet|spect|nm|nuclear|ultrasound|us|sonograph\w*|echo\w*|fluoro\w*|angio\w*|mammo\w*|dexa|biopsy|drainage)\b/i,
    /\b(?:rib|ribs|sternum|sternal|clavicles?|scapulae?|shoulders?|spine|thoracic spine|t-?spine)\b/i,
  ],
};

/** Decide whether a report is a finalized chest X-ray; every rejection says why (for the skip record). */
export function selectFinalizedChestXray(
  report: Pick<RadiologyReport, 'status' | 'procedure'>,
  policy: ChestXrayPolicy = DEFAULT_CHEST_XRAY_POLICY,
): FilterDecision {
  if (!policy.acceptedStatuses.includes(report.status)) {
    return {
      accepted: false,
      code: 'STATUS_NOT_ACCEPTED',
      reason: `status ${report.status} is not one of ${policy.acceptedStatuses.join(', ')}`,
    };
  }
  const { code, system, text } = report.procedure;
  if (code !== undefined && codeMatches(code.trim(), system, policy))
    return { accepted: true, matchedBy: 'code' };
  if (text !== undefined && textMatches(text, policy)) return { accepted: true, matchedBy: 'text' };
  return {
    accepted: false,
    code: 'NOT_CHEST_XRAY',
    reason: `procedure ${describe(report.procedure)} is not in the chest radiograph list`,
  };
}

function codeMatches(code: string, system: string | undefined, policy: ChestXrayPolicy): boolean {
  if (policy.localCodes.includes(code)) return true;
  const unspecified = system === undefined || system === '';
  if ((unspecified || system === LOINC_SYSTEM) && policy.loincCodes.includes(code)) return true;
  if ((unspecified || system === CPT_SYSTEM) && policy.cptCodes.includes(code)) return true;
  return false;
}

function textMatches(text: string, policy: ChestXrayPolicy): boolean {
  if (policy.excludeTextPatterns.some((re) => re.test(text))) return false;
  return policy.textPatterns.some((re) => re.test(text));
}

// Procedure codes and names describe the exam, not the patient: safe for skip records and logs.
function describe(procedure: RadiologyReport['procedure']): string {
  const parts: string[] = [];
  if (procedure.code)
    parts.push(procedure.system ? `${procedure.code} (${procedure.system})` : procedure.code);
  if (procedure.text) parts.push(JSON.stringify(procedure.text.slice(0, 80)));
  return parts.length > 0 ? parts.join(' ') : '(no code or text)';
}
