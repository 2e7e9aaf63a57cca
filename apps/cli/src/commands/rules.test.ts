import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, repoRoot } from '@radflow/config';
import { RulesFromLabelsLib } from '@radflow/enrichment';
import { chestXrayPolicyFrom, DEFAULT_CHEST_XRAY_POLICY, readInbound } from '@radflow/inbound';
import { DEFAULT_PRIORITY_POLICY, priorityPolicyFrom } from '@radflow/labels';
import type { RadiologyReport } from '@radflow/schemas';
import { effectiveRules } from './rules.ts';

const example = join(repoRoot, 'docs/report-rules.example.json');

describe('report rules from configuration', () => {
  it('docs/report-rules.example.json is what `radflow rules` prints with no file set', () => {
    expect(JSON.parse(readFileSync(example, 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(effectiveRules(loadConfig({})))),
    );
  });

  it('the built-in rules are the default policies, and so are the defaults read back from the example file', () => {
    for (const env of [{}, { RADFLOW_RULES_FILE: example }]) {
      const { rules } = loadConfig(env);
      expect(chestXrayPolicyFrom(rules.chestXray)).toEqual(DEFAULT_CHEST_XRAY_POLICY);
      expect(priorityPolicyFrom(rules.priority)).toEqual(DEFAULT_PRIORITY_POLICY);
    }
  });

  it("a site's file changes what the filter keeps and how the worklist ranks", () => {
    const dir = mkdtempSync(join(tmpdir(), 'radflow-rules-cli-'));
    const file = join(dir, 'site.json');
    writeFileSync(
      file,
      JSON.stringify({
        chestXray: { localCodes: ['RAD1234'] },
        priority: {
          disabledRules: ['large-effusion'],
          additionalRules: [
            { id: 'cardiomegaly', level: 'urgent', reason: 'enlarged heart', label: 'cardiomegaly' },
          ],
        },
      }),
    );
    const site = loadConfig({ RADFLOW_RULES_FILE: file });
    const builtIn = loadConfig({});

    const hl7 = [
      'MSH|^~\\&|RIS|HOSP|RADFLOW|HOSP|20240101120000||ORU^R01|MSG1|P|2.5.1',
      'PID|1||12345^^^HOSP^MR||DOE^JANE||19600101|F',
      'OBR|1||ACC1|RAD1234^PREOP SERIES^L|||20240101110000|||||||||||||||20240101115900||CR|F',
      'OBX|1|TX|18782-3^FINDINGS^LN||The heart is enlarged. Large left pleural effusion.||||||F',
    ].join('\r');
    const read = (config: typeof site) =>
      readInbound('hl7v2', Buffer.from(hl7), {
        maxMessageBytes: config.ingest.maxMessageBytes,
        patientKeySalt: config.ingest.patientKeySalt,
        policy: chestXrayPolicyFrom(config.rules.chestXray),
      });
    const withBuiltIn = read(builtIn);
    const withSite = read(site);
    if (!withBuiltIn.ok || !withSite.ok) throw new Error('the sample message did not read');
    // "PREOP SERIES" names no chest X-ray, and RAD1234 is a code only the site's list has.
    expect(withBuiltIn.accepted).toHaveLength(0);
    expect(withSite.accepted).toHaveLength(1);

    const report: RadiologyReport = withSite.accepted[0]!;
    // The enricher's rule labeler reads the labels from the report itself (no model labels here).
    const rank = (config: typeof site) =>
      new RulesFromLabelsLib(priorityPolicyFrom(config.rules.priority)).assessPriority([], [], report);
    expect(rank(builtIn)).toEqual({ level: 'urgent', reasons: ['large pleural effusion'] });
    expect(rank(site)).toEqual({ level: 'urgent', reasons: ['enlarged heart'] });
  });
});
