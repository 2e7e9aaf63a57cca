import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelReport, type LabelResult } from './labeler.ts';
import { ABNORMALITY_LEXICON } from './lexicon/abnormalities.ts';
import { DEVICE_LEXICON } from './lexicon/devices.ts';
import { ABNORMALITY_IDS, DEVICE_IDS, NEGBIO_TO_LABEL } from './vocabulary.ts';

const stateIn = (results: readonly LabelResult[], label: string) =>
  results.find((r) => r.label === label)?.state;

describe('vocabulary coverage', () => {
  it('has a lexicon entry for every vocabulary label and none beyond it', () => {
    expect(Object.keys(ABNORMALITY_LEXICON).sort()).toEqual([...ABNORMALITY_IDS].sort());
    expect(Object.keys(DEVICE_LEXICON).sort()).toEqual([...DEVICE_IDS].sort());
  });

  it('maps the 14 NegBio labels', () => {
    expect(NEGBIO_TO_LABEL.size).toBe(14);
    expect(NEGBIO_TO_LABEL.get('Effusion')).toBe('pleural effusion');
  });
});

describe('labelReport: abnormalities', () => {
  it('labels one output per vocabulary label, in vocabulary order', () => {
    const { abnormalities, devices } = labelReport('No acute disease.');
    expect(abnormalities.map((a) => a.label)).toEqual(ABNORMALITY_IDS);
    expect(devices.map((d) => d.label)).toEqual(DEVICE_IDS);
    expect(abnormalities.every((a) => a.state === 'absent' && a.sentenceIndex === null)).toBe(true);
  });

  it('finds synonyms and gives the deciding sentence index', () => {
    const report = {
      findings:
        'The heart is enlarged. There is blunting of the left costophrenic angle. Calcified granuloma in the right upper lobe.',
      impression: 'Cardiomegaly. Small left pleural effusion.',
    };
    const { abnormalities } = labelReport(report);
    const cardiomegaly = abnormalities.find((a) => a.label === 'cardiomegaly')!;
    expect(cardiomegaly.state).toBe('present');
    expect(cardiomegaly.sentenceIndex).toBe(0);
    expect(cardiomegaly.mentions).toHaveLength(2);
    const effusion = abnormalities.find((a) => a.label === 'pleural effusion')!;
    expect(effusion.state).toBe('present');
    expect(effusion.sentenceIndex).toBe(4); // the impression sentence; blunting alone is only a hint
    expect(stateIn(abnormalities, 'granuloma')).toBe('present');
  });

  it('treats blunting of the costophrenic angle alone as an uncertain effusion', () => {
    expect(
      stateIn(labelReport('Blunting of the right costophrenic angle.').abnormalities, 'pleural effusion'),
    ).toBe('uncertain');
  });

  it('aggregates mentions: present beats uncertain beats absent', () => {
    const { abnormalities } = labelReport(
      'No pneumonia on the left. Possible right lower lobe pneumonia. Right lower lobe pneumonia on the lateral view.',
    );
    const pneumonia = abnormalities.find((a) => a.label === 'pneumonia')!;
    expect(pneumonia.state).toBe('present');
    expect(pneumonia.sentenceIndex).toBe(2);
    expect(pneumonia.mentions.map((m) => m.state)).toEqual(['absent', 'uncertain', 'present']);
  });

  it('does not take a pericardial effusion for a pleural one, nor subcutaneous emphysema for emphysema', () => {
    const { abnormalities } = labelReport(
      'Small pericardial effusion. Subcutaneous emphysema in the left chest wall.',
    );
    expect(stateIn(abnormalities, 'pleural effusion')).toBe('absent');
    expect(stateIn(abnormalities, 'emphysema')).toBe('absent');
  });

  it('labels an Open-i style normal report all absent', () => {
    const { abnormalities } = labelReport({
      findings:
        'The cardiac silhouette and mediastinum size are within normal limits. There is no pulmonary edema. There is no focal consolidation. There are no XXXX of a pleural effusion. There is no evidence of pneumothorax.',
      impression: 'Normal chest x-XXXX.',
    });
    expect(abnormalities.filter((a) => a.state !== 'absent')).toEqual([]);
  });

  it('finds pneumoperitoneum from free air under the diaphragm', () => {
    expect(
      stateIn(labelReport('Free air under the right hemidiaphragm.').abnormalities, 'pneumoperitoneum'),
    ).toBe('present');
  });
});

describe('labelReport: devices', () => {
  it('finds tubes and lines, and the site of a central venous catheter', () => {
    const { devices } = labelReport(
      'ETT 4 cm above the carina. Right IJ central venous catheter tip in the SVC. NG tube in the stomach. Left chest wall dual-lead pacemaker. Median sternotomy wires. Cholecystectomy clips.',
    );
    const present = devices.filter((d) => d.state === 'present').map((d) => d.label);
    expect(present).toEqual([
      'endotracheal tube',
      'nasogastric tube',
      'central venous catheter',
      'pacemaker or icd',
      'sternotomy wires',
      'surgical clips',
    ]);
    expect(devices.find((d) => d.label === 'central venous catheter')!.sites).toEqual(['internal jugular']);
  });

  it('prefers the specific catheter: a PICC or a Swan-Ganz is not also a central venous catheter', () => {
    const { devices } = labelReport(
      'Right upper extremity PICC line terminates in the SVC. Swan-Ganz catheter tip in the right pulmonary artery.',
    );
    expect(stateIn(devices, 'picc')).toBe('present');
    expect(stateIn(devices, 'swan-ganz catheter')).toBe('present');
    expect(stateIn(devices, 'central venous catheter')).toBe('absent');
  });

  it('knows subclavian and femoral sites, Dobhoff tubes, chest tubes and tracheostomies', () => {
    const { devices } = labelReport(
      'Left subclavian line tip at the cavoatrial junction. Dobhoff tube in the stomach. Right chest tube. Tracheostomy tube in place.',
    );
    expect(devices.find((d) => d.label === 'central venous catheter')!.sites).toEqual(['subclavian']);
    expect(stateIn(devices, 'feeding tube')).toBe('present');
    expect(stateIn(devices, 'chest tube')).toBe('present');
    expect(stateIn(devices, 'tracheostomy tube')).toBe('present');
    expect(stateIn(devices, 'endotracheal tube')).toBe('absent');
  });

  it('reads extubation and removal as absent', () => {
    const { devices } = labelReport('Patient has been extubated. Interval removal of the right chest tube.');
    expect(stateIn(devices, 'endotracheal tube')).toBe('absent');
    expect(stateIn(devices, 'chest tube')).toBe('absent');
  });
});

describe('labelReport on arbitrary text', () => {
  it('never throws and always gives valid states and sentence indices', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        fc.option(fc.string({ maxLength: 200 })),
        (findings, impression) => {
          const result = labelReport({ findings, impression });
          return [...result.abnormalities, ...result.devices].every(
            (r) =>
              ['present', 'absent', 'uncertain'].includes(r.state) &&
              (r.sentenceIndex === null ||
                (r.sentenceIndex >= 0 && r.sentenceIndex < result.sentences.length)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
