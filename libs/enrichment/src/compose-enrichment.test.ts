import { describe, expect, it } from 'vitest';
import { EventValidator } from '@radflow/events';
import type { RadiologyReport } from '@radflow/schemas';
import { composeEnrichment, diffRuleLabels, mergeLabelCalls, type EnrichmentInputs } from './index.ts';

const report: RadiologyReport = {
  source: { kind: 'hl7v2', messageId: 'M1' },
  reportId: 'R1',
  reportVersion: 'F-1',
  accession: 'ACC2',
  patient: { key: 'b'.repeat(64) },
  procedure: { text: 'XR CHEST 1 VIEW' },
  status: 'final',
  reportedAt: '2025-01-12T06:08:00Z',
  text: 'FINDINGS: ... IMPRESSION: ...',
  sections: {},
  unusedContent: [],
};
const prior: RadiologyReport = {
  ...report,
  accession: 'ACC1',
  reportVersion: 'F-0',
  reportedAt: '2025-01-11T06:08:00Z',
};

const base: EnrichmentInputs = {
  report,
  rules: {
    abnormalities: [
      { label: 'pleural effusion', state: 'present' },
      { label: 'consolidation', state: 'uncertain' },
      { label: 'pneumothorax', state: 'absent' },
    ],
    devices: [{ label: 'endotracheal tube', state: 'present' }],
  },
  rulesLabeler: { name: 'radflow-rules', version: '1.0.0' },
  model: {
    model: { name: 'radflow-cxr-small', version: '0.1.0' },
    draftImpression: 'Left effusion.',
    abnormalities: ['pleural effusion', 'atelectasis'],
    devices: ['endotracheal tube'],
  },
  assessPriority: (abnormalities) => ({
    level: abnormalities.some((l) => l.label === 'pneumothorax' && l.state === 'present')
      ? 'stat'
      : 'routine',
    reasons: [],
  }),
  now: new Date('2025-01-12T06:09:00Z'),
};

describe('composeEnrichment', () => {
  it("emits the rule labels by default and keeps the model's other calls as disagreements", () => {
    const enrichment = composeEnrichment(base);
    expect(enrichment.draftImpression).toBe('Left effusion.');
    expect(enrichment.abnormalities).toEqual([
      { label: 'pleural effusion', state: 'present', source: 'model' },
      { label: 'consolidation', state: 'uncertain', source: 'rules' },
    ]);
    expect(enrichment.disagreements).toEqual([
      { label: 'atelectasis', model: 'present', rules: 'absent' },
      { label: 'consolidation', model: 'absent', rules: 'uncertain' },
    ]);
  });

  it('with rules-then-model, keeps the model draft, adds rule findings the model left out, and records disagreements', () => {
    const enrichment = composeEnrichment({ ...base, labelSource: 'rules-then-model' });
    expect(enrichment).toMatchObject({
      status: 'preliminary',
      aiGenerated: true,
      degraded: false,
      draftImpression: 'Left effusion.',
    });
    expect(enrichment.model).toEqual({ name: 'radflow-cxr-small', version: '0.1.0' });
    expect(enrichment.abnormalities).toEqual([
      { label: 'pleural effusion', state: 'present', source: 'model' },
      { label: 'atelectasis', state: 'present', source: 'model' },
      { label: 'consolidation', state: 'uncertain', source: 'rules' },
    ]);
    expect(enrichment.disagreements).toEqual([
      { label: 'atelectasis', model: 'present', rules: 'absent' },
      { label: 'consolidation', model: 'absent', rules: 'uncertain' },
    ]);
    expect(enrichment.temporal).toBeUndefined();
  });

  it('falls back to rules only, marked degraded with the reason and the rule labeler as the source', () => {
    const enrichment = composeEnrichment({
      ...base,
      model: { failure: 'model deadline of 2000 ms exceeded' },
    });
    expect(enrichment.degraded).toBe(true);
    expect(enrichment.degradedReason).toMatch(/deadline/);
    expect(enrichment.model).toEqual({ name: 'radflow-rules', version: '1.0.0' });
    expect(enrichment.draftImpression).toBeUndefined();
    expect(enrichment.abnormalities.every((l) => l.source === 'rules')).toBe(true);
    expect(enrichment.disagreements).toEqual([]);
  });

  it('diffs against the prior report at label level, and prefers the model temporal answer', () => {
    const withPrior = {
      ...base,
      prior: {
        report: prior,
        rules: {
          abnormalities: [{ label: 'atelectasis', state: 'present' as const }],
          devices: [{ label: 'endotracheal tube', state: 'present' as const }],
        },
      },
    };
    const rulesOnly = composeEnrichment({ ...withPrior, model: { failure: 'down' } });
    expect(rulesOnly.temporal).toMatchObject({
      priorAccession: 'ACC1',
      added: ['consolidation', 'pleural effusion'],
      removed: ['atelectasis'],
      changed: [],
    });
    const modelTemporal = composeEnrichment({
      ...withPrior,
      model: {
        ...(base.model as object),
        abnormalities: [],
        devices: [],
        model: { name: 'm', version: '1' },
        temporal: {
          added: ['effusion'],
          removed: [],
          changed: [{ finding: 'effusion', progression: 'worsened' }],
        },
      },
    });
    expect(modelTemporal.temporal?.added).toEqual(['effusion']);
    expect(modelTemporal.temporal?.labelDiff?.length).toBe(3);
  });

  it('produces an enrichment that validates against the enriched event schema', () => {
    const validator: EventValidator = new EventValidator();
    const payload = {
      report,
      enrichment: composeEnrichment({ ...base, prior: { report: prior, rules: base.rules } }),
    };
    expect(() => validator.assertValid('rad.report.enriched.v1', payload)).not.toThrow();
  });

  it("emits the checked draft and the rules' edits, which validate against the schema", () => {
    const checked = composeEnrichment({
      ...base,
      checkDraft: (draft) => ({
        impression: `Pneumothorax. ${draft}`,
        edits: [{ kind: 'critical-finding-added', reason: 'pneumothorax' }],
      }),
    });
    expect(checked.draftImpression).toBe('Pneumothorax. Left effusion.');
    expect(checked.draftImpressionEdits).toEqual([
      { kind: 'critical-finding-added', reason: 'pneumothorax' },
    ]);
    const validator = new EventValidator();
    expect(() =>
      validator.assertValid('rad.report.enriched.v1', { report, enrichment: checked }),
    ).not.toThrow();
    const unknownKind = { ...checked, draftImpressionEdits: [{ kind: 'rewritten' }] };
    expect(() =>
      validator.assertValid('rad.report.enriched.v1', { report, enrichment: unknownKind }),
    ).toThrow();
  });
});

describe('label helpers', () => {
  it('merges rules only when there is no model answer', () => {
    expect(
      mergeLabelCalls(undefined, [
        { label: 'edema', state: 'absent' },
        { label: 'nodule', state: 'uncertain' },
      ]).labels,
    ).toEqual([{ label: 'nodule', state: 'uncertain', source: 'rules' }]);
  });
  it('with rules-then-model, lets the rules decide a label the report names, and the model fill in one it never names', () => {
    const merged = mergeLabelCalls(
      ['pneumothorax', 'edema', 'nodule', 'mass'],
      [
        { label: 'pneumothorax', state: 'absent', mentioned: true }, // "No pneumothorax."
        { label: 'edema', state: 'absent', mentioned: false }, // never named in the rules' words
        { label: 'nodule', state: 'uncertain', mentioned: true }, // "Questionable nodule."
        { label: 'effusion', state: 'present', mentioned: true },
      ],
      'rules-then-model',
    );
    expect(merged.labels).toEqual([
      { label: 'edema', state: 'present', source: 'model' },
      { label: 'mass', state: 'present', source: 'model' },
      { label: 'nodule', state: 'uncertain', source: 'rules' },
      { label: 'effusion', state: 'present', source: 'rules' },
    ]);
    expect(merged.disagreements).toContainEqual({ label: 'pneumothorax', model: 'present', rules: 'absent' });
    expect(merged.disagreements).toContainEqual({ label: 'nodule', model: 'present', rules: 'uncertain' });
  });
  it('reports before/after states', () => {
    expect(
      diffRuleLabels([{ label: 'edema', state: 'uncertain' }], [{ label: 'edema', state: 'present' }]),
    ).toEqual([{ label: 'edema', before: 'uncertain', after: 'present' }]);
  });
});
