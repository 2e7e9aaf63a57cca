import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, readRuleSettings } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'radflow-rules-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('report rules settings (RADFLOW_RULES_FILE)', () => {
  it('are empty, meaning the built-in rules, when the variable is unset', () => {
    expect(readRuleSettings({})).toEqual({ chestXray: {}, priority: {} });
    expect(loadConfig({}).rules).toEqual({ chestXray: {}, priority: {} });
  });

  it("read a site's file into the configuration", () => {
    const path = file('site.json', {
      $comment: 'St Elsewhere',
      chestXray: { localCodes: [' RAD1234 ', 'RAD1235'], textPatterns: ['\\bthorax\\b'] },
      priority: {
        uncertain: 'lower',
        disabledRules: ['mass'],
        additionalRules: [
          { id: 'cardiomegaly', level: 'urgent', reason: 'enlarged heart', label: 'cardiomegaly' },
        ],
      },
    });
    const { rules } = loadConfig({ RADFLOW_RULES_FILE: path });
    expect(rules).toEqual({
      file: path,
      chestXray: { localCodes: ['RAD1234', 'RAD1235'], textPatterns: ['\\bthorax\\b'] },
      priority: {
        uncertain: 'lower',
        disabledRules: ['mass'],
        additionalRules: [
          { id: 'cardiomegaly', level: 'urgent', reason: 'enlarged heart', label: 'cardiomegaly' },
        ],
      },
    });
  });

  it('name the variable, the file and the field when the file does not fit', () => {
    const cases: [unknown, RegExp][] = [
      ['{ not json', /is not valid JSON/],
      [[], /must hold a JSON object/],
      [{ chestXray: { loincCode: ['1'] } }, /chestXray has unknown field\(s\) loincCode/],
      [{ chestXray: { cptCodes: '71045' } }, /chestXray\.cptCodes must be a list of strings/],
      [
        { chestXray: { textPatterns: ['(chest'] } },
        /chestXray\.textPatterns\[0\] is not a valid regular expression/,
      ],
      [{ priority: { uncertain: 'maybe' } }, /priority\.uncertain must be one of/],
      [
        { priority: { rules: [{ id: 'a', level: 'now', reason: 'r', label: 'edema' }] } },
        /rules\[0\]\.level/,
      ],
      [
        { priority: { additionalRules: [{ id: 'a', level: 'stat', reason: 'r' }] } },
        /needs a label, a device/,
      ],
    ];
    for (const [content, message] of cases) {
      const path = file('bad.json', content);
      expect(() => readRuleSettings({ RADFLOW_RULES_FILE: path }), String(message)).toThrow(ConfigError);
      expect(() => readRuleSettings({ RADFLOW_RULES_FILE: path })).toThrow(message);
      expect(() => readRuleSettings({ RADFLOW_RULES_FILE: path })).toThrow(/RADFLOW_RULES_FILE must be/);
    }
    expect(() => readRuleSettings({ RADFLOW_RULES_FILE: join(dir, 'missing.json') })).toThrow(
      /cannot be read \(ENOENT\)/,
    );
  });
});
