import type { PriorityRuleSettings, PrioritySettings } from '@radflow/config';
import { DEFAULT_PRIORITY_POLICY, type PriorityPolicy, type PriorityRule } from './priority.ts';
import { ABNORMALITY_IDS, DEVICE_IDS } from './vocabulary.ts';

/** A priority rule as configuration holds it (@radflow/config owns the shape): regular expression sources. */
export type PriorityRuleSetting = PriorityRuleSettings;

/**
 * A site's worklist priority policy as configuration holds it (RADFLOW_RULES_FILE, `priority`). `rules` replaces the
 * default rules, `disabledRules` leaves rules out by id, `additionalRules` come after the others; a field left out
 * keeps the default.
 */
export type PriorityPolicySettings = PrioritySettings;

const PATTERN_KEYS = ['sentenceMatches', 'sentenceExcludes', 'reportMatches', 'textMatches'] as const;

function ruleOf(setting: PriorityRuleSetting): PriorityRule {
  if (setting.label !== undefined && !ABNORMALITY_IDS.includes(setting.label))
    throw new Error(
      `priority rule ${setting.id}: label "${setting.label}" is not in the abnormality vocabulary`,
    );
  if (setting.device !== undefined && !DEVICE_IDS.includes(setting.device))
    throw new Error(
      `priority rule ${setting.id}: device "${setting.device}" is not in the device vocabulary`,
    );
  if (setting.label === undefined && setting.device === undefined && setting.textMatches === undefined)
    throw new Error(`priority rule ${setting.id}: needs a label, a device or textMatches`);
  const rule: PriorityRule = { id: setting.id, level: setting.level, reason: setting.reason };
  if (setting.label !== undefined) rule.label = setting.label;
  if (setting.device !== undefined) rule.device = setting.device;
  for (const key of PATTERN_KEYS) {
    const source = setting[key];
    if (source !== undefined) rule[key] = new RegExp(source, 'i');
  }
  return rule;
}

/** The priority policy of the settings: the default policy changed as they say. */
export function priorityPolicyFrom(
  settings: PriorityPolicySettings = {},
  base: PriorityPolicy = DEFAULT_PRIORITY_POLICY,
): PriorityPolicy {
  const rules = settings.rules ? settings.rules.map(ruleOf) : [...base.rules];
  const disabled = new Set(settings.disabledRules ?? []);
  const unknown = [...disabled].filter((id) => !rules.some((rule) => rule.id === id));
  if (unknown.length > 0) throw new Error(`priority.disabledRules: no rule with id(s) ${unknown.join(', ')}`);
  const added = (settings.additionalRules ?? []).map(ruleOf);
  const all = [...rules.filter((rule) => !disabled.has(rule.id)), ...added];
  const ids = all.map((rule) => rule.id);
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length > 0) throw new Error(`priority rules: id(s) ${repeated.join(', ')} given twice`);
  return { rules: all, uncertain: settings.uncertain ?? base.uncertain };
}

/** The settings that give `policy` back (the default rules written out, e.g. as a starting point for a site). */
export function prioritySettingsOf(policy: PriorityPolicy = DEFAULT_PRIORITY_POLICY): {
  uncertain: PriorityPolicy['uncertain'];
  rules: PriorityRuleSetting[];
} {
  return {
    uncertain: policy.uncertain,
    rules: policy.rules.map((rule) => {
      const setting: PriorityRuleSetting = { id: rule.id, level: rule.level, reason: rule.reason };
      if (rule.label !== undefined) setting.label = rule.label;
      if (rule.device !== undefined) setting.device = rule.device;
      for (const key of PATTERN_KEYS) {
        const pattern = rule[key];
        if (pattern !== undefined) setting[key] = pattern.source;
      }
      return setting;
    }),
  };
}
