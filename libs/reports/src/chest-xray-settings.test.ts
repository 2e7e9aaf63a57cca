import { describe, expect, it } from 'vitest';
import { DEFAULT_CHEST_XRAY_POLICY, selectFinalizedChestXray } from './chest-xray-filter.ts';
import { chestXrayPolicyFrom, chestXraySettingsOf } from './chest-xray-settings.ts';
import { CPT_SYSTEM } from './coding-systems.ts';

describe('chestXrayPolicyFrom', () => {
  it('is the default policy, exactly, with no settings or with the defaults written out', () => {
    expect(chestXrayPolicyFrom()).toEqual(DEFAULT_CHEST_XRAY_POLICY);
    expect(chestXrayPolicyFrom({})).toEqual(DEFAULT_CHEST_XRAY_POLICY);
    const written = JSON.parse(JSON.stringify(chestXraySettingsOf()));
    expect(chestXrayPolicyFrom(written)).toEqual(DEFAULT_CHEST_XRAY_POLICY);
    // Every default pattern is case-insensitive and nothing else, so a source string gives it back.
    for (const re of [
      ...DEFAULT_CHEST_XRAY_POLICY.textPatterns,
      ...DEFAULT_CHEST_XRAY_POLICY.excludeTextPatterns,
    ])
      expect(re.flags).toBe('i');
  });

  it("replaces the lists a site gives and keeps the others: a local order code, preliminary reports, 'thorax film' out", () => {
    const policy = chestXrayPolicyFrom({
      localCodes: ['RAD1234'],
      acceptedStatuses: ['final', 'amended', 'corrected', 'preliminary'],
      excludeTextPatterns: [...chestXraySettingsOf().excludeTextPatterns, String.raw`\bthorax film\b`],
    });
    expect(policy.cptCodes).toBe(DEFAULT_CHEST_XRAY_POLICY.cptCodes);
    const local = { code: 'RAD1234', system: 'urn:oid:1.2.3' };
    expect(selectFinalizedChestXray({ status: 'final', procedure: local }).accepted).toBe(false);
    expect(selectFinalizedChestXray({ status: 'final', procedure: local }, policy)).toEqual({
      accepted: true,
      matchedBy: 'code',
    });
    const cpt = { code: '71046', system: CPT_SYSTEM };
    expect(selectFinalizedChestXray({ status: 'preliminary', procedure: cpt }).accepted).toBe(false);
    expect(selectFinalizedChestXray({ status: 'preliminary', procedure: cpt }, policy).accepted).toBe(true);
    const film = { text: 'THORAX FILM 2 VIEWS' };
    expect(selectFinalizedChestXray({ status: 'final', procedure: film }).accepted).toBe(true);
    expect(selectFinalizedChestXray({ status: 'final', procedure: film }, policy).accepted).toBe(false);
  });

  it('refuses a status radflow does not know', () => {
    expect(() => chestXrayPolicyFrom({ acceptedStatuses: ['final', 'signed'] })).toThrow(
      /unknown status.*signed/,
    );
  });
});
