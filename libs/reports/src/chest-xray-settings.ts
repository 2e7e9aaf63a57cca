import type { ChestXraySettings } from '@radflow/config';
import { DEFAULT_CHEST_XRAY_POLICY, type ChestXrayPolicy, type ReportStatus } from './chest-xray-filter.ts';

/**
 * A site's chest X-ray filter as configuration holds it (RADFLOW_RULES_FILE, `chestXray`): @radflow/config owns the
 * shape. A list given replaces the default list, a field left out keeps it; patterns are regular expression
 * sources, matched case-insensitively like the defaults.
 */
export type ChestXrayPolicySettings = ChestXraySettings;

const STATUSES: readonly ReportStatus[] = [
  'final',
  'amended',
  'corrected',
  'preliminary',
  'partial',
  'registered',
  'cancelled',
  'entered-in-error',
  'unknown',
];

/** The filter policy of the settings: the default policy with the given lists in place of its own. */
export function chestXrayPolicyFrom(
  settings: ChestXrayPolicySettings = {},
  base: ChestXrayPolicy = DEFAULT_CHEST_XRAY_POLICY,
): ChestXrayPolicy {
  const statuses = settings.acceptedStatuses;
  const unknown = statuses?.filter((s) => !(STATUSES as readonly string[]).includes(s)) ?? [];
  if (unknown.length > 0)
    throw new Error(
      `chestXray.acceptedStatuses: unknown status(es) ${unknown.join(', ')} (known: ${STATUSES.join(', ')})`,
    );
  const patterns = (sources: readonly string[] | undefined, fallback: readonly RegExp[]) =>
    sources ? sources.map((source) => new RegExp(source, 'i')) : fallback;
  return {
    acceptedStatuses: statuses ? (statuses as readonly ReportStatus[]) : base.acceptedStatuses,
    loincCodes: settings.loincCodes ?? base.loincCodes,
    cptCodes: settings.cptCodes ?? base.cptCodes,
    localCodes: settings.localCodes ?? base.localCodes,
    textPatterns: patterns(settings.textPatterns, base.textPatterns),
    excludeTextPatterns: patterns(settings.excludeTextPatterns, base.excludeTextPatterns),
  };
}

/** The settings that give `policy` back (the defaults written out, e.g. as a starting point for a site's file). */
export function chestXraySettingsOf(
  policy: ChestXrayPolicy = DEFAULT_CHEST_XRAY_POLICY,
): Required<ChestXrayPolicySettings> {
  return {
    acceptedStatuses: [...policy.acceptedStatuses],
    loincCodes: [...policy.loincCodes],
    cptCodes: [...policy.cptCodes],
    localCodes: [...policy.localCodes],
    textPatterns: policy.textPatterns.map((re) => re.source),
    excludeTextPatterns: policy.excludeTextPatterns.map((re) => re.source),
  };
}
