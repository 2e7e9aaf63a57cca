import type { Provider } from '@nestjs/common';
import type { RadflowConfig } from '@radflow/config';
import { RulesFromLabelsLib } from '@radflow/enrichment';
import { priorityPolicyFrom } from '@radflow/labels';
import { CONFIG } from '@radflow/platform';
import { RULE_LABELER } from './tokens.ts';

/** The rule labeler with the site's priority rules: one instance shape for the enricher and the triage stage. */
export const ruleLabelerProvider: Provider = {
  provide: RULE_LABELER,
  inject: [CONFIG],
  useFactory: (config: RadflowConfig) => new RulesFromLabelsLib(priorityPolicyFrom(config.rules.priority)),
};
