import { describe, expect, it } from 'vitest';
import { labelReport } from './labeler.ts';
import { assignWorklistPriority, DEFAULT_PRIORITY_POLICY, type PriorityPolicy } from './priority.ts';
import { priorityPolicyFrom, prioritySettingsOf } from './priority-settings.ts';

function priorityOf(report: string, policy?: PriorityPolicy) {
  const labels = labelReport(report);
  return assignWorklistPriority(labels.abnormalities, labels.devices, report, policy);
}

describe('priorityPolicyFrom', () => {
  it('is the default policy, exactly, with no settings or with the default rules written out', () => {
    expect(priorityPolicyFrom()).toEqual(DEFAULT_PRIORITY_POLICY);
    expect(priorityPolicyFrom({})).toEqual(DEFAULT_PRIORITY_POLICY);
    const written = JSON.parse(JSON.stringify(prioritySettingsOf()));
    expect(priorityPolicyFrom(written)).toEqual(DEFAULT_PRIORITY_POLICY);
    for (const rule of DEFAULT_PRIORITY_POLICY.rules)
      for (const re of [rule.sentenceMatches, rule.sentenceExcludes, rule.reportMatches, rule.textMatches])
        if (re) expect(re.flags, rule.id).toBe('i');
  });

  it('disables, adds and re-levels rules as a site says', () => {
    const policy = priorityPolicyFrom({
      uncertain: 'ignore',
      disabledRules: ['pneumonia'],
      additionalRules: [
        { id: 'cardiomegaly', level: 'urgent', reason: 'enlarged heart', label: 'cardiomegaly' },
        {
          id: 'rib-fracture',
          level: 'urgent',
          reason: 'rib fracture',
          textMatches: String.raw`\brib fractures?\b`,
        },
      ],
    });
    expect(priorityOf('Right lower lobe pneumonia.').level).toBe('urgent');
    expect(priorityOf('Right lower lobe pneumonia.', policy)).toEqual({ level: 'routine', reasons: [] });
    expect(priorityOf('The heart is enlarged.').level).toBe('routine');
    expect(priorityOf('The heart is enlarged.', policy)).toEqual({
      level: 'urgent',
      reasons: ['enlarged heart'],
    });
    expect(priorityOf('Acute left rib fracture.', policy).reasons).toEqual(['rib fracture']);
    expect(priorityOf('No rib fracture.', policy).level).toBe('routine');
    // uncertain 'ignore': a possible pneumothorax no longer raises the report
    expect(priorityOf('Possible small left apical pneumothorax.').level).toBe('stat');
    expect(priorityOf('Possible small left apical pneumothorax.', policy).level).toBe('routine');
  });

  it('replaces the rules when a site gives its own list', () => {
    const policy = priorityPolicyFrom({
      rules: [{ id: 'only-pneumothorax', level: 'urgent', reason: 'pneumothorax', label: 'pneumothorax' }],
    });
    expect(policy.rules.map((r) => r.id)).toEqual(['only-pneumothorax']);
    expect(priorityOf('There is a small left apical pneumothorax.', policy).level).toBe('urgent');
    expect(priorityOf('Large left pleural effusion.', policy).level).toBe('routine');
  });

  it('refuses labels outside the vocabulary, unknown ids to disable and repeated ids', () => {
    expect(() =>
      priorityPolicyFrom({
        additionalRules: [{ id: 'x', level: 'stat', reason: 'x', label: 'pneumothrax' }],
      }),
    ).toThrow(/not in the abnormality vocabulary/);
    expect(() => priorityPolicyFrom({ disabledRules: ['no-such-rule'] })).toThrow(/no-such-rule/);
    expect(() =>
      priorityPolicyFrom({ additionalRules: [{ id: 'edema', level: 'stat', reason: 'x', label: 'edema' }] }),
    ).toThrow(/given twice/);
  });
});
