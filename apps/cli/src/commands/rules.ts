import type { RadflowConfig } from '@radflow/config';
import { chestXrayPolicyFrom, chestXraySettingsOf } from '@radflow/inbound';
import { priorityPolicyFrom, prioritySettingsOf } from '@radflow/labels';

/**
 * The report rules in force, written out as a RADFLOW_RULES_FILE: the finalized chest X-ray filter and the
 * worklist priority rules, built-in or as the site's file changed them. With no file set this is
 * docs/report-rules.example.json, a starting point for a site's own file.
 */
export function effectiveRules(config: Pick<RadflowConfig, 'rules'>): object {
  return {
    $comment:
      'radflow report rules (RADFLOW_RULES_FILE). Lists replace the built-in lists; a field left out keeps them. Patterns are regular expressions, case-insensitive. priority.disabledRules and priority.additionalRules change the rules without copying them.',
    chestXray: chestXraySettingsOf(chestXrayPolicyFrom(config.rules.chestXray)),
    priority: prioritySettingsOf(priorityPolicyFrom(config.rules.priority)),
  };
}
