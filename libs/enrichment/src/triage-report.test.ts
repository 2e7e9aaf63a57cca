import { describe, expect, it } from 'vitest';
import { EventValidator, Topics, createTopicEvent } from '@radflow/events';
import type { RadiologyReport } from '@radflow/schemas';
import { RulesFromLabelsLib, statTriages, triageReport } from './index.ts';

const report = (impression: string): RadiologyReport => ({
  source: { kind: 'hl7v2', messageId: 'M1' },
  reportId: 'R1',
  reportVersion: 'F-1',
  accession: 'ACC1',
  patient: { key: 'c'.repeat(64) },
  procedure: { text: 'XR CHEST 1 VIEW' },
  status: 'final',
  reportedAt: '2025-01-12T06:08:00Z',
  text: `FINDINGS: See impression. IMPRESSION: ${impression}`,
  sections: { findings: 'See impression.', impression },
  unusedContent: [],
});

describe('the rules triage of one report', () => {
  const rules = new RulesFromLabelsLib();

  it('makes a tension pneumothorax stat and a clear chest routine, with the calls and the labeler named', () => {
    const stat = triageReport(report('Large right tension pneumothorax with mediastinal shift.'), rules);
    expect(stat.triage.priority.level).toBe('stat');
    expect(stat.triage.abnormalities).toContainEqual({ label: 'pneumothorax', state: 'present' });
    expect(stat.triage.labeler).toEqual(rules.identity);
    const routine = triageReport(report('No acute cardiopulmonary abnormality.'), rules);
    expect(routine.triage.priority.level).toBe('routine');
  });

  it('is a valid rad.report.triaged.v1 payload', () => {
    const payload = triageReport(
      report('Small left pleural effusion.'),
      rules,
      new Date('2025-01-12T06:09:00Z'),
    );
    expect(payload.triage.triagedAt).toBe('2025-01-12T06:09:00.000Z');
    const event = createTopicEvent(Topics.reportTriaged, payload, {
      sourceMessageId: 'M1',
      producer: 'test',
    });
    expect(() => new EventValidator().assertValidEvent(event)).not.toThrow();
  });

  it('picks the STAT reports among the eligible ones only', () => {
    const tension = report('Large right tension pneumothorax with mediastinal shift.');
    const clear = { ...report('No acute cardiopulmonary abnormality.'), accession: 'ACC2' };
    const ineligible = { ...tension, accession: 'ACC3' };
    const stat = statTriages([clear, tension, ineligible], rules, (r) => r.accession !== 'ACC3');
    expect(stat.map((t) => t.report.accession)).toEqual(['ACC1']);
  });
});
