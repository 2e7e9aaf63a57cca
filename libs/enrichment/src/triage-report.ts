import type { RadiologyReport, ReportTriagedPayload } from '@radflow/schemas';
import type { RuleLabeler } from './rule-labeler.ts';

/**
 * The rules' triage of one finalized report, as rad.report.triaged.v1 carries it: the worklist priority and the
 * label calls, before and apart from any model. One function for the triage stage and the STAT lane, so that both
 * decide a report's priority the same way.
 */
export function triageReport(
  report: RadiologyReport,
  rules: RuleLabeler,
  triagedAt: Date = new Date(),
): ReportTriagedPayload {
  const { reading, priority } = rules.triage(report);
  return {
    report,
    triage: {
      priority,
      // The event carries the calls only; `mentioned` serves the merge with the model inside the enricher.
      abnormalities: reading.abnormalities.map(({ label, state }) => ({ label, state })),
      devices: reading.devices.map(({ label, state }) => ({ label, state })),
      labeler: rules.identity,
      triagedAt: triagedAt.toISOString(),
    },
  };
}

/** Worklist priorities that take the STAT lane (their Task is written ahead of every queue). */
export const STAT_LANE_LEVELS: ReadonlySet<string> = new Set(['stat']);

/**
 * The triages of the reports the rules make STAT, among those `eligible` admits (the site's finalized chest X-ray
 * policy, for reports not already read under it): what the gateway asks to decide whether a message takes the STAT
 * lane, and what the lane writes.
 */
export function statTriages(
  reports: RadiologyReport[],
  rules: RuleLabeler,
  eligible: (report: RadiologyReport) => boolean = () => true,
  triagedAt: Date = new Date(),
): ReportTriagedPayload[] {
  return reports
    .filter(eligible)
    .map((report) => triageReport(report, rules, triagedAt))
    .filter((triaged) => STAT_LANE_LEVELS.has(triaged.triage.priority.level));
}
