import {
  assignWorklistPriority,
  checkDraftImpression,
  DEFAULT_PRIORITY_POLICY,
  labelReport,
  RULE_LABELER,
  type LabelResult,
  type PriorityPolicy,
  type ReportLabels,
} from '@radflow/labels';
import type { RadiologyReport } from '@radflow/schemas';
import type { RuleLabeler } from './rule-labeler.ts';
import type { CheckedDraft, EnrichedLabel, RuleReading, WorklistPriority } from './types.ts';

/** The enricher's rule labeler: libs/labels over the report's findings and impression (or its whole text). */
export class RulesFromLabelsLib implements RuleLabeler {
  readonly identity = { name: RULE_LABELER.name, version: RULE_LABELER.version };

  /** `priority`: the worklist rules, built-in or the site's (priorityPolicyFrom(config.rules.priority)). */
  // One labelling per report object: read (triage), the prior's read and the final priority all need it.
  private readonly labelled = new WeakMap<RadiologyReport, ReportLabels>();

  constructor(private readonly priority: PriorityPolicy = DEFAULT_PRIORITY_POLICY) {}

  private labelsOf(report: RadiologyReport): ReportLabels {
    let labels = this.labelled.get(report);
    if (!labels) this.labelled.set(report, (labels = labelReport(reportText(report))));
    return labels;
  }

  read(report: RadiologyReport): RuleReading {
    const labels = this.labelsOf(report);
    return {
      abnormalities: labels.abnormalities.map(asRuleCall),
      devices: labels.devices.map(asRuleCall),
    };
  }

  triage(report: RadiologyReport): { reading: RuleReading; priority: WorklistPriority } {
    const reading = this.read(report);
    const asRules = (calls: RuleReading['abnormalities']) =>
      calls.map((call) => ({ ...call, source: 'rules' as const }));
    const priority = this.assessPriority(asRules(reading.abnormalities), asRules(reading.devices), report);
    return { reading, priority };
  }

  /**
   * Priority rules read the rule labeler's evidence sentences (a tube "in the right mainstem"); labels only the
   * model raised join as present without a sentence, so a model-found pneumothorax still makes the report stat.
   */
  assessPriority(
    abnormalities: EnrichedLabel[],
    devices: EnrichedLabel[],
    report: RadiologyReport,
  ): WorklistPriority {
    const rules = this.labelsOf(report);
    return assignWorklistPriority(
      withModelCalls(rules.abnormalities, abnormalities),
      withModelCalls(rules.devices, devices),
      reportText(report),
      this.priority,
    );
  }

  checkDraftImpression(draft: string, report: RadiologyReport): CheckedDraft {
    return checkDraftImpression(report.sections.findings ?? '', draft, this.priority);
  }
}

function withModelCalls<T extends LabelResult>(rules: T[], merged: EnrichedLabel[]): T[] {
  const fromModel = merged.filter((l) => l.source === 'model' && l.state === 'present').map((l) => l.label);
  return rules.map((result) =>
    fromModel.includes(result.label) && result.state !== 'present'
      ? { ...result, state: 'present' as const, sentenceIndex: result.sentenceIndex ?? null }
      : result,
  );
}

function asRuleCall({ label, state, sentenceIndex }: LabelResult) {
  return { label, state, mentioned: sentenceIndex !== null };
}

function reportText(report: RadiologyReport) {
  const { findings, impression } = report.sections;
  return findings || impression ? { findings: findings ?? '', impression: impression ?? '' } : report.text;
}
