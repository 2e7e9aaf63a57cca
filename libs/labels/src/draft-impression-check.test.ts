import { describe, expect, it } from 'vitest';
import { checkDraftImpression } from './draft-impression-check.ts';
import { DEFAULT_PRIORITY_POLICY } from './priority.ts';

// The demo's sample reports (test/fixtures/demo) and the drafts radflow-cxr 0.7.0 writes for them.
const TENSION_FINDINGS =
  'There is a large right pneumothorax with mediastinal shift to the left, concerning for tension physiology. The left lung is clear. Heart size is normal.';
const ICU_FINDINGS =
  'Endotracheal tube tip is in the right mainstem bronchus. Nasogastric tube courses below the diaphragm. Right internal jugular central venous catheter tip in the superior vena cava. Small left pleural effusion with left basilar atelectasis. No pneumothorax.';

describe('checkDraftImpression', () => {
  it('takes out a clause naming what the findings do not support (demo 02: "concerning for pneumonia")', () => {
    const checked = checkDraftImpression(
      TENSION_FINDINGS,
      'Large right pneumothorax with mediastinal shift to the left, concerning for pneumonia.',
    );
    expect(checked.impression).toBe('Large right pneumothorax with mediastinal shift to the left.');
    expect(checked.edits).toEqual([{ kind: 'unsupported-finding-removed', label: 'pneumonia' }]);
  });

  it('puts first a malpositioned tube the draft left out, in the findings sentence (demo 03)', () => {
    const checked = checkDraftImpression(ICU_FINDINGS, '1. Small left basilar atelectasis.');
    expect(checked.impression).toBe(
      '1. Endotracheal tube tip is in the right mainstem bronchus. 2. Small left basilar atelectasis.',
    );
    expect(checked.edits).toEqual([
      {
        kind: 'critical-finding-added',
        reason: DEFAULT_PRIORITY_POLICY.rules.find((r) => r.id === 'ett-mainstem')!.reason,
      },
    ]);
  });

  it('replaces a draft statement that says less about the same tube ("in satisfactory position")', () => {
    const checked = checkDraftImpression(
      ICU_FINDINGS,
      'Endotracheal tube in satisfactory position. Small left pleural effusion.',
    );
    expect(checked.impression).toBe(
      'Endotracheal tube tip is in the right mainstem bronchus. Small left pleural effusion.',
    );
  });

  it('drops "no acute abnormality" when it carries a pneumothorax the draft missed', () => {
    const checked = checkDraftImpression(
      'Small residual left apical pneumothorax, slightly larger. No focal airspace consolidation.',
      'No acute cardiopulmonary abnormality.',
    );
    expect(checked.impression).toBe('Small residual left apical pneumothorax, slightly larger.');
    expect(checked.edits.map((e) => e.kind)).toEqual(['critical-finding-added']);
  });

  it("keeps the draft's own pneumothorax statement and carries only the shift it lacks", () => {
    const checked = checkDraftImpression(
      'A large pleural air collection is present on the right. Mediastinum is shifted to the left. The right lower lobe is totally opaque.',
      'Large right pneumothorax with complete collapse of the right lower lobe.',
    );
    expect(checked.impression).toBe(
      'Mediastinum is shifted to the left. Large right pneumothorax with complete collapse of the right lower lobe.',
    );
    expect(checked.edits).toEqual([{ kind: 'critical-finding-added', reason: 'tension pneumothorax' }]);
  });

  it('drops a whole statement whose subject is unsupported and keeps the numbering', () => {
    const checked = checkDraftImpression(
      'The heart is normal in size. Left midlung airspace opacity. No effusion.',
      '1. Cardiomegaly. 2. Left midlung pneumonia.',
    );
    expect(checked.impression).toBe('1. Left midlung pneumonia.');
    expect(checked.edits).toEqual([{ kind: 'unsupported-finding-removed', label: 'cardiomegaly' }]);
  });

  it('passes a draft the rules have nothing to say about exactly as written', () => {
    for (const [findings, draft] of [
      ['Right lower lobe airspace opacity.', 'Right lower lobe opacity, concerning for pneumonia.'],
      ['The heart is normal in size. The lungs are clear.', 'No acute cardiopulmonary findings. .'],
      // A negation reaches across the list: none of the three is claimed.
      ['Lungs are clear. Heart size normal.', 'No focal lung opacity, pleural effusion or pneumothorax'],
      // Signs the labeler has no label for support the label (hyperinflation: emphysema; top-normal heart).
      ['Lungs are hyperexpanded with flattening of the diaphragms.', 'Emphysema.'],
      ['The heart is top normal in size. The lungs are clear.', 'Borderline cardiomegaly'],
      // Advice is not a claim about the findings.
      [
        'No acute osseous abnormality.',
        'If there is continued concern for fracture or effusion, consider rib films',
      ],
      // Findings that name nothing cannot refute anything.
      ['AP and lateral views of the chest.', 'Cardiomegaly with small bilateral pleural effusions.'],
      ['', 'Right pneumothorax.'],
    ] as const) {
      expect(checkDraftImpression(findings, draft), draft).toEqual({ impression: draft, edits: [] });
    }
  });

  it('carries nothing for a hedged critical finding (the worklist already flags it)', () => {
    const checked = checkDraftImpression('Possible small right apical pneumothorax.', 'No acute findings.');
    expect(checked).toEqual({ impression: 'No acute findings.', edits: [] });
  });

  it('can empty a draft that is nothing but unsupported claims', () => {
    const checked = checkDraftImpression('The heart size is normal. The lungs are clear.', 'Cardiomegaly.');
    expect(checked.impression).toBe('');
    expect(checked.edits).toEqual([{ kind: 'unsupported-finding-removed', label: 'cardiomegaly' }]);
  });
});
