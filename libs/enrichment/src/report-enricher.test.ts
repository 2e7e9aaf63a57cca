import { describe, expect, it } from 'vitest';
import type { RadiologyReport } from '@radflow/schemas';
import { ReportEnricher, RulesFromLabelsLib, type ModelClient } from './index.ts';

const report: RadiologyReport = {
  source: { kind: 'hl7v2', messageId: 'M1' },
  reportId: 'R1',
  reportVersion: 'F-1',
  accession: 'ACC9',
  patient: { key: 'c'.repeat(64) },
  procedure: { text: 'XR CHEST 1 VIEW' },
  status: 'final',
  reportedAt: '2025-01-12T06:08:00Z',
  text: 'FINDINGS: Large right pneumothorax. IMPRESSION: Right pneumothorax.',
  sections: { findings: 'Large right pneumothorax.', impression: 'Right pneumothorax.' },
  unusedContent: [],
};

const answering: ModelClient = {
  draft: async () => ({
    model: { name: 'stub', version: '1' },
    draftImpression: 'Right pneumothorax.',
    abnormalities: ['pneumothorax', 'edema'],
    devices: [],
  }),
};

describe('ReportEnricher', () => {
  it('drafts with the model and emits the rules’ labels, STAT for a pneumothorax', async () => {
    const { enrichment } = await new ReportEnricher(answering, new RulesFromLabelsLib(), {
      deadlineMs: 1_000,
    }).enrich(report, undefined);
    expect(enrichment).toMatchObject({ degraded: false, draftImpression: 'Right pneumothorax.' });
    expect(enrichment.abnormalities).toEqual([{ label: 'pneumothorax', state: 'present', source: 'model' }]);
    expect(enrichment.disagreements).toContainEqual({ label: 'edema', model: 'present', rules: 'absent' });
    expect(enrichment.priority.level).toBe('stat');
  });

  it('checks the draft against the findings: a malpositioned tube it left out goes first, an unsupported pneumonia goes', async () => {
    const icu: RadiologyReport = {
      ...report,
      text: 'FINDINGS: ...',
      sections: {
        findings:
          'Endotracheal tube tip is in the right mainstem bronchus. Small left pleural effusion. Heart size is normal.',
      },
    };
    const drafting = (draftImpression: string): ModelClient => ({
      draft: async () => ({
        model: { name: 'stub', version: '1' },
        draftImpression,
        abnormalities: [],
        devices: [],
      }),
    });
    const enricher = (draft: string, checkDraftImpression?: boolean) =>
      new ReportEnricher(drafting(draft), new RulesFromLabelsLib(), {
        deadlineMs: 1_000,
        ...(checkDraftImpression === undefined ? {} : { checkDraftImpression }),
      });

    const { enrichment } = await enricher('Small left pleural effusion, concerning for pneumonia.').enrich(
      icu,
      undefined,
    );
    expect(enrichment.draftImpression).toBe(
      'Endotracheal tube tip is in the right mainstem bronchus. Small left pleural effusion.',
    );
    expect(enrichment.draftImpressionEdits).toEqual([
      { kind: 'unsupported-finding-removed', label: 'pneumonia' },
      { kind: 'critical-finding-added', reason: expect.stringMatching(/^endotracheal tube malpositioned/) },
    ]);

    const unchecked = await enricher('Small left pleural effusion, concerning for pneumonia.', false).enrich(
      icu,
      undefined,
    );
    expect(unchecked.enrichment.draftImpression).toBe(
      'Small left pleural effusion, concerning for pneumonia.',
    );
    expect(unchecked.enrichment.draftImpressionEdits).toBeUndefined();

    // A draft the check leaves alone carries no edits; one it empties is not emitted at all.
    const asWritten = await enricher('Endotracheal tube in the right mainstem bronchus.').enrich(
      icu,
      undefined,
    );
    expect(asWritten.enrichment.draftImpression).toBe('Endotracheal tube in the right mainstem bronchus.');
    expect(asWritten.enrichment.draftImpressionEdits).toBeUndefined();
    const emptied = await enricher('Cardiomegaly.').enrich(
      { ...icu, sections: { findings: 'Heart size is normal. Lungs are clear.' } },
      undefined,
    );
    expect(emptied.enrichment.draftImpression).toBeUndefined();
    expect(emptied.enrichment.draftImpressionEdits).toEqual([
      { kind: 'unsupported-finding-removed', label: 'cardiomegaly' },
    ]);
  });

  it('makes a report STAT for a pneumothorax only the model found, when the model may add labels', async () => {
    const unnamed: RadiologyReport = {
      ...report,
      text: 'FINDINGS: ...',
      sections: { findings: 'Lucency at the right apex without lung markings. Heart size is normal.' },
    };
    const enrich = (labelSource: 'rules' | 'rules-then-model') =>
      new ReportEnricher(answering, new RulesFromLabelsLib(), { deadlineMs: 1_000, labelSource }).enrich(
        unnamed,
        undefined,
      );
    const added = (await enrich('rules-then-model')).enrichment;
    expect(added.abnormalities).toContainEqual({ label: 'pneumothorax', state: 'present', source: 'model' });
    expect(added.priority).toEqual({ level: 'stat', reasons: ['pneumothorax'] });
    // By default the rules' reading decides, and the model's pneumothorax waits for review as a disagreement.
    const rulesOnly = (await enrich('rules')).enrichment;
    expect(rulesOnly.priority.level).not.toBe('stat');
    expect(rulesOnly.disagreements).toContainEqual({
      label: 'pneumothorax',
      model: 'present',
      rules: 'absent',
    });
  });

  it('goes rules-only past the deadline and tells the app why', async () => {
    const told: string[] = [];
    const never: ModelClient = { draft: () => new Promise(() => {}) };
    const { enrichment } = await new ReportEnricher(never, new RulesFromLabelsLib(), {
      deadlineMs: 10,
      onModelUnavailable: (r, failure) => told.push(`${r.accession}: ${failure}`),
    }).enrich(report, undefined);
    expect(enrichment.degraded).toBe(true);
    expect(enrichment.model.name).toBe('radflow-rules');
    expect(enrichment.priority.level).toBe('stat');
    expect(told).toEqual(['ACC9: model deadline of 10 ms exceeded']);
  });
});
