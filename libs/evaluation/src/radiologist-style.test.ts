import { describe, expect, it } from 'vitest';
import { impressionStatements, inStyle, styleOf } from './radiologist-style.ts';

// Impressions as Open-i radiologists signed them.
const numbered = '1. Mild cardiomegaly. 2. Small left pleural effusion. 3. No pneumothorax.';
const prose =
  'Endotracheal tube in the right mainstem bronchus. Small left effusion and basilar atelectasis.';

describe('impression statements', () => {
  it('splits numbered lists and prose into statements without numbers or full stops', () => {
    expect(impressionStatements(numbered)).toEqual([
      'Mild cardiomegaly',
      'Small left pleural effusion',
      'No pneumothorax',
    ]);
    expect(impressionStatements(prose)).toEqual([
      'Endotracheal tube in the right mainstem bronchus',
      'Small left effusion and basilar atelectasis',
    ]);
  });

  it('keeps decimals and abbreviations inside a statement', () => {
    expect(impressionStatements('Nodule measures 1.5 cm in the right upper lobe.')).toEqual([
      'Nodule measures 1.5 cm in the right upper lobe',
    ]);
  });
});

describe('radiologist styles', () => {
  it('rewrites any impression as a numbered list, one finding per line', () => {
    expect(inStyle(prose, 'numbered-list')).toBe(
      '1. Endotracheal tube in the right mainstem bronchus.\n2. Small left effusion and basilar atelectasis.',
    );
    expect(styleOf(inStyle(numbered, 'numbered-list'))).toBe('numbered-list');
  });

  it('rewrites any impression as one sentence', () => {
    expect(inStyle(numbered, 'single-sentence')).toBe(
      'Mild cardiomegaly; small left pleural effusion; no pneumothorax.',
    );
    expect(styleOf(inStyle(prose, 'single-sentence'))).toBe('single-sentence');
  });

  it('keeps acronyms capitalised when joining', () => {
    expect(inStyle('No acute disease. PICC line tip in the SVC.', 'single-sentence')).toBe(
      'No acute disease; PICC line tip in the SVC.',
    );
  });

  it('tells the two styles and neither apart', () => {
    expect(styleOf('1. No acute disease.')).toBe('numbered-list');
    expect(styleOf('No acute disease.')).toBe('single-sentence');
    expect(styleOf(prose)).toBe('other');
    expect(styleOf('1. Effusion. 2. Atelectasis.')).toBe('other');
  });
});
