import type { RadflowConfig } from '@radflow/config';
import { RulesFromLabelsLib, statTriages } from '@radflow/enrichment';
import { Topics } from '@radflow/events';
import {
  chestXrayPolicyFrom,
  selectFinalizedChestXray,
  type ChestXrayPolicy,
  type InboundKind,
  type InboundOutcome,
} from '@radflow/inbound';
import { priorityPolicyFrom } from '@radflow/labels';

/**
 * Decides which inbound messages the gateway also writes to the STAT lane: those holding a finalized chest X-ray the
 * rules make STAT, judged with the site's policies as ingest and the triage stage will judge them. The lane's
 * consumer then writes the worklist Task without waiting behind the messages queued on the inbound topic.
 */
export class StatLaneSelector {
  private readonly rules: RulesFromLabelsLib;
  private readonly policy: ChestXrayPolicy;

  constructor(config: RadflowConfig) {
    this.rules = new RulesFromLabelsLib(priorityPolicyFrom(config.rules.priority));
    this.policy = chestXrayPolicyFrom(config.rules.chestXray);
  }

  /** The STAT lane topic for this message, or undefined when none of its reports is STAT. */
  laneOf(kind: InboundKind, read: InboundOutcome & { ok: true }): string | undefined {
    const reports = [...read.accepted, ...read.skipped.map((skipped) => skipped.report)];
    const stat = statTriages(
      reports,
      this.rules,
      (report) => selectFinalizedChestXray(report, this.policy).accepted,
    );
    if (stat.length === 0) return undefined;
    return kind === 'hl7v2' ? Topics.statLaneHl7v2 : Topics.statLaneFhir;
  }
}
