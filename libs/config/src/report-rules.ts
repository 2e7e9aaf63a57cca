import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, type Env } from './env-reader.ts';

/** The variable that names a site's report rules file (JSON); unset, radflow runs on the built-in rules. */
export const RULES_FILE_VARIABLE = 'RADFLOW_RULES_FILE';

/**
 * A site's finalized chest X-ray filter (built into a ChestXrayPolicy by @radflow/reports' chestXrayPolicyFrom).
 * A field left out keeps the built-in value; a list given replaces the built-in list. Patterns are regular
 * expression sources, matched case-insensitively.
 */
export interface ChestXraySettings {
  acceptedStatuses?: readonly string[];
  loincCodes?: readonly string[];
  cptCodes?: readonly string[];
  /** Sender-local order codes of chest radiographs (any coding system): the usual site addition. */
  localCodes?: readonly string[];
  textPatterns?: readonly string[];
  excludeTextPatterns?: readonly string[];
}

/** One worklist priority rule as written in the file: PriorityRule of @radflow/labels with pattern sources. */
export interface PriorityRuleSettings {
  id: string;
  level: 'stat' | 'urgent';
  /** Shown and logged: a fixed phrase, never report text. */
  reason: string;
  label?: string;
  device?: string;
  sentenceMatches?: string;
  sentenceExcludes?: string;
  reportMatches?: string;
  textMatches?: string;
}

/** A site's worklist priority rules (built into a PriorityPolicy by @radflow/labels' priorityPolicyFrom). */
export interface PrioritySettings {
  uncertain?: 'same' | 'lower' | 'ignore';
  /** Replaces the built-in rules. */
  rules?: readonly PriorityRuleSettings[];
  /** Rules (built-in or given) to leave out, by id. */
  disabledRules?: readonly string[];
  /** Rules added after the others. */
  additionalRules?: readonly PriorityRuleSettings[];
}

export interface RuleSettings {
  /** The file the settings came from; absent on the built-in rules. */
  file?: string;
  chestXray: ChestXraySettings;
  priority: PrioritySettings;
}

const CHEST_XRAY_LISTS = [
  'acceptedStatuses',
  'loincCodes',
  'cptCodes',
  'localCodes',
  'textPatterns',
  'excludeTextPatterns',
] as const;
const CHEST_XRAY_PATTERNS = new Set(['textPatterns', 'excludeTextPatterns']);
const RULE_PATTERNS = ['sentenceMatches', 'sentenceExcludes', 'reportMatches', 'textMatches'] as const;

class RulesFileProblem extends Error {}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0)
    throw new RulesFileProblem(
      `${where} has unknown field(s) ${unknown.join(', ')} (known: ${allowed.join(', ')})`,
    );
}

function pattern(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '')
    throw new RulesFileProblem(`${where} must be a non-empty string`);
  try {
    new RegExp(value, 'i');
  } catch {
    throw new RulesFileProblem(`${where} is not a valid regular expression`);
  }
  return value;
}

function stringList(value: unknown, where: string, patterns: boolean): string[] {
  if (!Array.isArray(value)) throw new RulesFileProblem(`${where} must be a list of strings`);
  return value.map((item, i) => {
    if (patterns) return pattern(item, `${where}[${i}]`);
    if (typeof item !== 'string' || item.trim() === '')
      throw new RulesFileProblem(`${where}[${i}] must be a non-empty string`);
    return item.trim();
  });
}

function chestXraySettings(value: unknown): ChestXraySettings {
  if (value === undefined) return {};
  if (!isObject(value)) throw new RulesFileProblem('chestXray must be an object');
  onlyKeys(value, CHEST_XRAY_LISTS, 'chestXray');
  const out: ChestXraySettings = {};
  for (const key of CHEST_XRAY_LISTS)
    if (value[key] !== undefined)
      out[key] = stringList(value[key], `chestXray.${key}`, CHEST_XRAY_PATTERNS.has(key));
  return out;
}

function ruleSettings(value: unknown, where: string): PriorityRuleSettings {
  if (!isObject(value)) throw new RulesFileProblem(`${where} must be an object`);
  onlyKeys(value, ['id', 'level', 'reason', 'label', 'device', ...RULE_PATTERNS], where);
  const text = (key: 'id' | 'reason' | 'label' | 'device'): string => {
    const v = value[key];
    if (typeof v !== 'string' || v.trim() === '')
      throw new RulesFileProblem(`${where}.${key} must be a non-empty string`);
    return v.trim();
  };
  if (value['level'] !== 'stat' && value['level'] !== 'urgent')
    throw new RulesFileProblem(`${where}.level must be stat or urgent`);
  const rule: PriorityRuleSettings = { id: text('id'), level: value['level'], reason: text('reason') };
  if (value['label'] !== undefined) rule.label = text('label');
  if (value['device'] !== undefined) rule.device = text('device');
  if (rule.label !== undefined && rule.device !== undefined)
    throw new RulesFileProblem(`${where} names both a label and a device`);
  for (const key of RULE_PATTERNS)
    if (value[key] !== undefined) rule[key] = pattern(value[key], `${where}.${key}`);
  if (rule.label === undefined && rule.device === undefined && rule.textMatches === undefined)
    throw new RulesFileProblem(`${where} needs a label, a device or textMatches`);
  return rule;
}

function prioritySettings(value: unknown): PrioritySettings {
  if (value === undefined) return {};
  if (!isObject(value)) throw new RulesFileProblem('priority must be an object');
  onlyKeys(value, ['uncertain', 'rules', 'disabledRules', 'additionalRules'], 'priority');
  const out: PrioritySettings = {};
  const uncertain = value['uncertain'];
  if (uncertain !== undefined) {
    if (uncertain !== 'same' && uncertain !== 'lower' && uncertain !== 'ignore')
      throw new RulesFileProblem('priority.uncertain must be one of same, lower, ignore');
    out.uncertain = uncertain;
  }
  for (const key of ['rules', 'additionalRules'] as const) {
    const list = value[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new RulesFileProblem(`priority.${key} must be a list of rules`);
    out[key] = list.map((rule, i) => ruleSettings(rule, `priority.${key}[${i}]`));
  }
  if (value['disabledRules'] !== undefined)
    out.disabledRules = stringList(value['disabledRules'], 'priority.disabledRules', false);
  const ids = [...(out.rules ?? []), ...(out.additionalRules ?? [])].map((r) => r.id);
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length > 0)
    throw new RulesFileProblem(`priority rule id(s) ${repeated.join(', ')} given twice`);
  return out;
}

/** Checks the shape of a rules file's content (what each library then builds its policy from). */
function parseRuleSettings(json: unknown): Omit<RuleSettings, 'file'> {
  if (!isObject(json)) throw new RulesFileProblem('the file must hold a JSON object');
  onlyKeys(json, ['$comment', 'chestXray', 'priority'], 'the file');
  return { chestXray: chestXraySettings(json['chestXray']), priority: prioritySettings(json['priority']) };
}

/**
 * The report rules of this installation: the JSON file RADFLOW_RULES_FILE names (relative to the working
 * directory), or the built-in rules (empty settings) when it is unset. A file that cannot be read or does not
 * fit is a ConfigError naming the variable, the file and the field.
 */
export function readRuleSettings(env: Env = process.env): RuleSettings {
  const name = env[RULES_FILE_VARIABLE]?.trim();
  if (!name) return { chestXray: {}, priority: {} };
  const file = resolve(name);
  const problem = (reason: string) =>
    new ConfigError(RULES_FILE_VARIABLE, `a report rules JSON file (${file}: ${reason})`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw problem(code ? `cannot be read (${code})` : 'is not valid JSON');
  }
  try {
    return { file, ...parseRuleSettings(json) };
  } catch (error) {
    if (error instanceof RulesFileProblem) throw problem(error.message);
    throw error;
  }
}
