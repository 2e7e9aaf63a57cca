import { describe, expect, it } from 'vitest';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import {
  applyReview,
  compareRows,
  labelLines,
  routeText,
  sortRows,
  upsertRow,
  worklistRow,
  type WorklistRow,
} from './rows.ts';
import { modalityOf } from './modality.ts';

function row(
  id: string,
  priority: WorklistRow['priority'],
  enrichedAt: string,
  extra: Partial<WorklistRow> = {},
) {
  return {
    id,
    accession: `ACC-${id}`,
    procedure: 'XR Chest 2V',
    modality: 'XR',
    enrichedAt,
    priority,
    reasons: [],
    model: { name: 'm', version: '1' },
    degraded: false,
    disagreements: [],
    state: 'new',
    ...extra,
  } satisfies WorklistRow;
}

describe('worklist order', () => {
  it('puts STAT before URGENT before ROUTINE, newest first within a priority', () => {
    const rows = [
      row('a', 'routine', '2025-01-10T10:00:00Z'),
      row('b', 'stat', '2025-01-10T08:00:00Z'),
      row('c', 'urgent', '2025-01-10T11:00:00Z'),
      row('d', 'stat', '2025-01-10T09:00:00Z'),
      row('e', 'routine', '2025-01-10T12:00:00Z'),
    ];
    expect(sortRows(rows).map((r) => r.id)).toEqual(['d', 'b', 'c', 'e', 'a']);
  });

  it('is a total order (ties broken by id) whatever the input order', () => {
    const rows = [row('y', 'stat', '2025-01-10T08:00:00Z'), row('x', 'stat', '2025-01-10T08:00:00Z')];
    expect(sortRows(rows).map((r) => r.id)).toEqual(['x', 'y']);
    expect(sortRows([...rows].reverse()).map((r) => r.id)).toEqual(['x', 'y']);
    expect(compareRows(rows[0]!, rows[0]!)).toBe(0);
  });

  it('places a live row by its priority and replaces an older row of the same exam', () => {
    let rows = sortRows([
      row('a', 'routine', '2025-01-10T10:00:00Z'),
      row('b', 'urgent', '2025-01-10T09:00:00Z'),
    ]);
    rows = upsertRow(rows, row('n', 'stat', '2025-01-10T07:00:00Z'));
    expect(rows.map((r) => r.id)).toEqual(['n', 'b', 'a']);
    rows = upsertRow(rows, row('a', 'stat', '2025-01-10T12:00:00Z'));
    expect(rows.map((r) => r.id)).toEqual(['a', 'n', 'b']);
    // A redelivered older draft does not replace the newer one.
    expect(upsertRow(rows, row('a', 'routine', '2025-01-10T10:00:00Z'))).toEqual(rows);
  });

  it('applies a review verdict to its row only, keeping the order', () => {
    const rows = sortRows([
      row('a', 'stat', '2025-01-10T10:00:00Z'),
      row('b', 'routine', '2025-01-10T10:00:00Z'),
    ]);
    const after = applyReview(rows, { id: 'b', state: 'rejected', reviewedBy: 'dr-x' });
    expect(after.map((r) => [r.id, r.state, r.reviewedBy])).toEqual([
      ['a', 'new', undefined],
      ['b', 'rejected', 'dr-x'],
    ]);
  });
});

const enriched: ReportEnrichedPayload = {
  report: {
    source: { kind: 'hl7v2', messageId: 'M1' },
    reportId: 'R1',
    reportVersion: 'final:1',
    accession: 'ACC1',
    patient: { key: 'a'.repeat(64) },
    procedure: { code: '36643-5', system: 'http://loinc.org', text: 'XR Chest 2V' },
    status: 'final',
    reportedAt: '2025-01-10T09:28:00',
    text: 'FINDINGS: x',
    sections: { findings: 'x', impression: 'y' },
    unusedContent: [],
  },
  enrichment: {
    status: 'preliminary',
    aiGenerated: true,
    model: { name: 'radflow-cxr-small', version: '0.2.0' },
    degraded: false,
    draftImpression: 'Large right pneumothorax.',
    abnormalities: [
      { label: 'pleural effusion', state: 'present', source: 'model' },
      { label: 'pneumothorax', state: 'present', source: 'rules' },
      { label: 'cardiomegaly', state: 'present', source: 'model' },
    ],
    devices: [],
    priority: { level: 'stat', reasons: ['tension pneumothorax'] },
    disagreements: [
      { label: 'pleural effusion', model: 'present', rules: 'absent' },
      { label: 'pneumothorax', model: 'absent', rules: 'present' },
    ],
    generatedAt: '2025-01-10T09:30:00.000Z',
  },
};

describe('worklistRow and labelLines', () => {
  it('summarises an enriched report with its priority, reasons, model and disagreements', () => {
    expect(worklistRow(enriched, { id: 'opaque' })).toEqual({
      id: 'opaque',
      accession: 'ACC1',
      procedure: 'XR Chest 2V',
      modality: 'XR',
      reportedAt: '2025-01-10T09:28:00',
      enrichedAt: '2025-01-10T09:30:00.000Z',
      priority: 'stat',
      reasons: ['tension pneumothorax'],
      model: { name: 'radflow-cxr-small', version: '0.2.0' },
      degraded: false,
      disagreements: ['pleural effusion', 'pneumothorax'],
      state: 'new',
    });
  });

  it("names the route that chose the drafting model: a radiologist's own adapter is told apart from the shared one", () => {
    const routed = {
      ...enriched,
      enrichment: {
        ...enriched.enrichment,
        model: {
          name: 'radflow-cxr-small~r-0123456789abcdef',
          version: '0.2.0-ft.3',
          route: 'radiologist' as const,
        },
      },
    };
    expect(worklistRow(routed, { id: 'opaque' }).model).toEqual({
      name: 'radflow-cxr-small~r-0123456789abcdef',
      version: '0.2.0-ft.3',
      route: 'radiologist',
    });
    expect(routeText('radiologist')).toBe("the signing radiologist's own model");
    expect(routeText('canary')).toMatch(/canary/);
    expect(routeText('serving')).toBe('the serving model');
  });

  it("shows each label's call by the model and by the rules, and marks disagreements", () => {
    const lines = labelLines(enriched.enrichment.abnormalities, enriched.enrichment.disagreements);
    expect(lines).toEqual([
      {
        label: 'pleural effusion',
        state: 'present',
        source: 'model',
        model: 'present',
        rules: 'absent',
        disagree: true,
      },
      {
        label: 'pneumothorax',
        state: 'present',
        source: 'rules',
        model: 'absent',
        rules: 'present',
        disagree: true,
      },
      {
        label: 'cardiomegaly',
        state: 'present',
        source: 'model',
        model: 'present',
        rules: 'present',
        disagree: false,
      },
    ]);
    // Degraded (rules only): no model column.
    expect(labelLines([{ label: 'pneumothorax', state: 'uncertain', source: 'rules' }], [], true)).toEqual([
      { label: 'pneumothorax', state: 'uncertain', source: 'rules', rules: 'uncertain', disagree: false },
    ]);
  });

  it('reads the modality from the procedure code or name', () => {
    expect(modalityOf({ code: '71045', text: 'whatever' })).toBe('XR');
    expect(modalityOf({ text: 'PORTABLE CHEST' })).toBe('XR');
    expect(modalityOf({ text: 'CT Chest w/o contrast' })).toBe('CT');
    expect(modalityOf({ text: 'MRI brain' })).toBe('MR');
    expect(modalityOf({})).toBe('other');
  });
});

export { enriched as sampleEnriched };

describe('reportView', () => {
  it('puts the signed report beside the AI draft, with the word diff and both sources of each label', async () => {
    const { reportView } = await import('./report-view.ts');
    const view = reportView(sampleEnrichedWithImpression(), worklistRow(enriched, { id: 'opaque' }));
    expect(view.report).toMatchObject({ findings: 'x', impression: 'Tension pneumothorax on the right.' });
    expect(view.ai).toMatchObject({
      aiGenerated: true,
      status: 'preliminary',
      model: { name: 'radflow-cxr-small', version: '0.2.0' },
      draftImpression: 'Large right pneumothorax.',
    });
    expect(view.ai.impressionDiff!.filter((p) => p.kind !== 'same').length).toBeGreaterThan(0);
    expect(view.ai.abnormalities.find((l) => l.label === 'pneumothorax')).toMatchObject({
      model: 'absent',
      rules: 'present',
    });
    const same = reportView(
      { ...enriched, report: { ...enriched.report, sections: { impression: 'large right  pneumothorax.' } } },
      worklistRow(enriched, { id: 'opaque' }),
    );
    expect(same.ai.impressionDiff).toBeUndefined();
    expect(view.ai.draftImpressionEdits).toBeUndefined();
  });

  it("shows what the rules changed in the model's draft", async () => {
    const { reportView } = await import('./report-view.ts');
    const sample = sampleEnrichedWithImpression();
    const edits = [{ kind: 'unsupported-finding-removed' as const, label: 'pneumonia' }];
    const view = reportView(
      { ...sample, enrichment: { ...sample.enrichment, draftImpressionEdits: edits } },
      worklistRow(enriched, { id: 'opaque' }),
    );
    expect(view.ai.draftImpressionEdits).toEqual(edits);
  });
});

function sampleEnrichedWithImpression(): ReportEnrichedPayload {
  return {
    ...enriched,
    report: {
      ...enriched.report,
      sections: { findings: 'x', impression: 'Tension pneumothorax on the right.' },
    },
  };
}
