import { describe, expect, it } from 'vitest';
import { labelReport } from './labeler.ts';
import {
  assignWorklistPriority,
  DEFAULT_PRIORITY_POLICY,
  DEFAULT_PRIORITY_RULES,
  type PriorityLevel,
} from './priority.ts';

interface Case {
  report: string;
  level: PriorityLevel;
  /** A reason the result must contain (for routine: none expected). */
  reason?: string;
}

// Hand-written snippets in the style of chest X-ray reports (none copied from a data set).
const CASES: Case[] = [
  // stat: pneumothorax
  {
    report: 'Large right pneumothorax with leftward mediastinal shift, concerning for tension.',
    level: 'stat',
    reason: 'tension pneumothorax',
  },
  { report: 'There is a small left apical pneumothorax.', level: 'stat', reason: 'pneumothorax' },
  {
    report: 'Large left pneumothorax. The mediastinum is shifted to the right.',
    level: 'stat',
    reason: 'tension pneumothorax',
  },
  {
    report: 'Interval increase in size of the right pneumothorax, now moderate.',
    level: 'stat',
    reason: 'pneumothorax',
  },
  { report: 'Tiny right apical pneumothorax, unchanged from prior.', level: 'stat', reason: 'pneumothorax' },
  {
    report: 'Possible small left apical pneumothorax; recommend expiratory view.',
    level: 'stat',
    reason: 'possible pneumothorax',
  },
  { report: 'Left hydropneumothorax with air-fluid level.', level: 'stat', reason: 'pneumothorax' },
  // stat: free air
  {
    report: 'Free air under the right hemidiaphragm, consistent with pneumoperitoneum.',
    level: 'stat',
    reason: 'free air under the diaphragm (pneumoperitoneum)',
  },
  {
    report: 'Lucency beneath both hemidiaphragms compatible with free intraperitoneal air.',
    level: 'stat',
    reason: 'free air under the diaphragm (pneumoperitoneum)',
  },
  // stat: malpositioned tubes
  {
    report: 'The endotracheal tube extends into the right mainstem bronchus. Recommend retraction by 3 cm.',
    level: 'stat',
    reason: 'endotracheal tube malpositioned (mainstem bronchus, at or below the carina, or too low)',
  },
  {
    report: 'ETT tip is at the level of the carina.',
    level: 'stat',
    reason: 'endotracheal tube malpositioned (mainstem bronchus, at or below the carina, or too low)',
  },
  {
    report: 'Endotracheal tube tip 0.8 cm above the carina, too low.',
    level: 'stat',
    reason: 'endotracheal tube malpositioned (mainstem bronchus, at or below the carina, or too low)',
  },
  {
    report: 'Nasogastric tube courses into the right lower lobe bronchus and should be removed.',
    level: 'stat',
    reason: 'enteric tube in the airway',
  },
  {
    report: 'The feeding tube tip projects over the left lung base, within the left lower lobe bronchus.',
    level: 'stat',
    reason: 'enteric tube in the airway',
  },
  {
    report: 'Dobhoff tube enters the trachea and terminates in the right mainstem bronchus.',
    level: 'stat',
    reason: 'enteric tube in the airway',
  },
  // urgent
  {
    report: 'New right lower lobe consolidation, concerning for pneumonia.',
    level: 'urgent',
    reason: 'new or acute consolidation',
  },
  { report: 'Left lower lobe pneumonia.', level: 'urgent', reason: 'pneumonia' },
  {
    report: 'Large left pleural effusion with compressive atelectasis.',
    level: 'urgent',
    reason: 'large pleural effusion',
  },
  {
    report: 'Moderate to large right pleural effusion, increased since prior.',
    level: 'urgent',
    reason: 'large pleural effusion',
  },
  { report: 'Cardiomegaly with interstitial pulmonary edema.', level: 'urgent', reason: 'pulmonary edema' },
  {
    report: 'A new 4 cm mass is present in the right upper lobe.',
    level: 'urgent',
    reason: 'new or enlarging mass',
  },
  { report: 'Complete collapse of the left lung.', level: 'urgent', reason: 'lobar or lung collapse' },
  {
    report: 'The endotracheal tube is high, at the level of the thoracic inlet; recommend advancement.',
    level: 'urgent',
    reason: 'endotracheal tube too high',
  },
  {
    report: 'The nasogastric tube tip is coiled in the upper esophagus.',
    level: 'urgent',
    reason: 'enteric tube tip in the esophagus',
  },
  {
    report: 'Widened mediastinum, new since prior examination.',
    level: 'urgent',
    reason: 'widened mediastinum',
  },
  {
    report: 'Early pneumonia in the right lower lobe cannot be excluded.',
    level: 'urgent',
    reason: 'possible pneumonia',
  },
  // routine
  { report: 'No acute cardiopulmonary abnormality.', level: 'routine' },
  {
    report: 'The heart is normal in size. No focal consolidation, pleural effusion, or pneumothorax.',
    level: 'routine',
  },
  { report: 'No XXXX of a pneumothorax. There are no XXXX of a pleural effusion.', level: 'routine' },
  { report: 'Endotracheal tube terminates 4 cm above the carina, in good position.', level: 'routine' },
  { report: 'Nasogastric tube courses below the diaphragm into the stomach.', level: 'routine' },
  { report: 'Stable right upper lobe mass, unchanged from prior.', level: 'routine' },
  { report: 'Small left pleural effusion. No large effusion.', level: 'routine' },
  {
    report: 'Calcified granuloma in the right upper lobe. Mild degenerative changes of the thoracic spine.',
    level: 'routine',
  },
  { report: 'Interval resolution of the right pneumothorax after chest tube removal.', level: 'routine' },
  { report: 'No free air under the diaphragm.', level: 'routine' },
  { report: 'Chronic interstitial changes, stable. No pulmonary edema.', level: 'routine' },
  { report: 'No evidence of right mainstem intubation; ETT 5 cm above the carina.', level: 'routine' },
  { report: 'Resolving left lower lobe pneumonia, improved from prior.', level: 'routine' },
];

function priorityOf(report: string) {
  const labels = labelReport(report);
  return assignWorklistPriority(labels.abnormalities, labels.devices, report);
}

describe('worklist priority (hand-written report snippets)', () => {
  it('has at least 30 snippets', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  CASES.forEach(({ report, level, reason }, i) => {
    it(`#${i + 1} ${level}${reason ? ` (${reason})` : ''}`, () => {
      const result = priorityOf(report);
      expect(result.level).toBe(level);
      if (reason) expect(result.reasons).toContain(reason);
      else expect(result.reasons).toEqual([]);
    });
  });
});

describe('priority policy', () => {
  it('orders reasons by severity', () => {
    const result = priorityOf('Left lower lobe pneumonia. Small right apical pneumothorax.');
    expect(result.level).toBe('stat');
    expect(result.reasons).toEqual(['pneumothorax', 'pneumonia']);
  });

  it('does not call a pneumothorax tension when the shift is denied', () => {
    expect(priorityOf('Moderate right pneumothorax. No mediastinal shift.')).toEqual({
      level: 'stat',
      reasons: ['pneumothorax'],
    });
  });

  it('can lower or ignore hedged findings', () => {
    const report = 'Possible small left apical pneumothorax.';
    const labels = labelReport(report);
    expect(
      assignWorklistPriority(labels.abnormalities, labels.devices, report, {
        ...DEFAULT_PRIORITY_POLICY,
        uncertain: 'lower',
      }),
    ).toEqual({
      level: 'urgent',
      reasons: ['possible pneumothorax'],
    });
    expect(
      assignWorklistPriority(labels.abnormalities, labels.devices, report, {
        ...DEFAULT_PRIORITY_POLICY,
        uncertain: 'ignore',
      }).level,
    ).toBe('routine');
  });

  it('takes custom rules', () => {
    const report = 'Right upper lobe cavitary lesion. Mild cardiomegaly.';
    const labels = labelReport(report);
    const policy = {
      ...DEFAULT_PRIORITY_POLICY,
      rules: [
        ...DEFAULT_PRIORITY_RULES,
        { id: 'cardiomegaly', level: 'urgent' as const, reason: 'cardiomegaly', label: 'cardiomegaly' },
      ],
    };
    expect(assignWorklistPriority(labels.abnormalities, labels.devices, report, policy)).toEqual({
      level: 'urgent',
      reasons: ['cardiomegaly'],
    });
    expect(assignWorklistPriority(labels.abnormalities, labels.devices, report).level).toBe('routine');
  });

  it('reads findings and impression sections', () => {
    const report = { findings: 'Heart size normal.', impression: 'Small right pneumothorax.' };
    const labels = labelReport(report);
    expect(assignWorklistPriority(labels.abnormalities, labels.devices, report).level).toBe('stat');
  });
});
