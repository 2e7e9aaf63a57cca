import { describe, expect, it } from 'vitest';
import { parseSections } from './sections.ts';

describe('parseSections', () => {
  it('reads headers on their own lines with colons (Open-i style)', () => {
    const text = [
      'EXAM: XR CHEST PA AND LATERAL',
      'INDICATION: Positive TB test',
      'COMPARISON: None.',
      'FINDINGS:',
      'The cardiac silhouette and mediastinum size are within normal limits.',
      'There is no pulmonary edema.',
      '',
      'IMPRESSION:',
      'Normal chest x-XXXX.',
    ].join('\n');
    expect(parseSections(text)).toEqual({
      indication: 'Positive TB test',
      comparison: 'None.',
      findings:
        'The cardiac silhouette and mediastinum size are within normal limits.\nThere is no pulmonary edema.',
      impression: 'Normal chest x-XXXX.',
    });
  });

  it('reads inline headers on one line', () => {
    const text =
      'CLINICAL HISTORY: cough. TECHNIQUE: PA and lateral views. FINDINGS: Lungs are clear. No effusion. IMPRESSION: No acute disease.';
    expect(parseSections(text)).toEqual({
      indication: 'cough.',
      technique: 'PA and lateral views.',
      findings: 'Lungs are clear. No effusion.',
      impression: 'No acute disease.',
    });
  });

  it('accepts lower and mixed case, no colon when alone on a line, and synonyms', () => {
    const text =
      'Reason for exam: fever\nComparison\n01/02/2020\nFindings\nClear lungs.\nConclusion\nNormal.';
    expect(parseSections(text)).toEqual({
      indication: 'fever',
      comparison: '01/02/2020',
      findings: 'Clear lungs.',
      impression: 'Normal.',
    });
  });

  it('keeps numbered impressions and stops at the signature block', () => {
    const text = [
      'FINDINGS: Small left effusion.',
      'IMPRESSION:',
      '1. Small left pleural effusion.',
      '2. No pneumothorax.',
      '',
      'Electronically signed by: Dr. Example on 01/02/2024',
    ].join('\n');
    expect(parseSections(text)).toEqual({
      findings: 'Small left effusion.',
      impression: '1. Small left pleural effusion.\n2. No pneumothorax.',
    });
  });

  it('reads an uppercase header followed by text without a colon, but not all-caps prose', () => {
    expect(parseSections('IMPRESSION  No acute cardiopulmonary process.')).toEqual({
      impression: 'No acute cardiopulmonary process.',
    });
    expect(parseSections('FINDINGS The lungs are clear.')).toEqual({ findings: 'The lungs are clear.' });
    expect(parseSections('HISTORY OF COPD. LUNGS HYPERINFLATED.')).toEqual({});
  });

  it('does not take a mid-sentence word for a header', () => {
    expect(
      parseSections(
        'FINDINGS: No change in comparison to the prior exam; the impression of the clinician is noted.',
      ),
    ).toEqual({
      findings: 'No change in comparison to the prior exam; the impression of the clinician is noted.',
    });
  });

  it('keeps an addendum at the top apart from the original report, headers inside it included', () => {
    const text = [
      '*** ADDENDUM ***',
      'Impression corrected: right lower lobe opacity.',
      'Electronically signed by Dr X 01/03/2024',
      '',
      'ORIGINAL REPORT:',
      'FINDINGS: Right lower lobe opacity.',
      'IMPRESSION: Pneumonia.',
    ].join('\n');
    expect(parseSections(text)).toEqual({
      addendum: 'Impression corrected: right lower lobe opacity.',
      findings: 'Right lower lobe opacity.',
      impression: 'Pneumonia.',
    });
  });

  it('keeps an addendum at the bottom', () => {
    const text =
      'FINDINGS: Clear.\nIMPRESSION: Normal.\nADDENDUM: Discussed with Dr Y.\nIMPRESSION: unchanged.';
    expect(parseSections(text)).toEqual({
      findings: 'Clear.',
      impression: 'Normal.',
      addendum: 'Discussed with Dr Y.\nIMPRESSION: unchanged.',
    });
  });

  it('keeps FINDINGS sub-headers (US Core style) inside findings', () => {
    const text =
      'INDICATION/CLINICAL QUESTION: Fever / Pneumonia\n\nCOMPARISON: None.\n\nFINDINGS:\n\nLINES AND TUBES: None.\n\nLUNGS AND PLEURA:\nClear lungs.\n\nIMPRESSION:\nNo acute abnormality.\n\nWSN: O19IC\n\nDictated By: Someone';
    expect(parseSections(text)).toEqual({
      indication: 'Fever / Pneumonia',
      comparison: 'None.',
      findings: 'LINES AND TUBES: None.\n\nLUNGS AND PLEURA:\nClear lungs.',
      impression: 'No acute abnormality.',
    });
  });

  it('puts a combined FINDINGS/IMPRESSION section in both', () => {
    expect(parseSections('FINDINGS/IMPRESSION: No acute disease.')).toEqual({
      findings: 'No acute disease.',
      impression: 'No acute disease.',
    });
  });

  it('returns no sections for text without headers', () => {
    expect(parseSections('No acute cardiopulmonary abnormality.')).toEqual({});
    expect(parseSections('')).toEqual({});
  });
});
