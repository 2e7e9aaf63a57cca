import { describe, expect, it } from 'vitest';
import { analyseSentence, mentionState, type MentionState } from './context.ts';

/** State of the first occurrence of `term` in `sentence`. */
function stateOf(sentence: string, term: string): MentionState {
  const context = analyseSentence(sentence);
  const start = context.text.indexOf(term.toLowerCase());
  if (start < 0) throw new Error(`"${term}" not in "${sentence}"`);
  return mentionState(context, { start, end: start + term.length });
}

describe('negation (NegEx-style pre- and post-triggers)', () => {
  it.each([
    ['No pneumothorax.', 'pneumothorax'],
    ['No focal consolidation, pleural effusion, or pneumothorax.', 'pneumothorax'],
    ['There is no evidence of pleural effusion.', 'pleural effusion'],
    ['There are no XXXX of a pleural effusion.', 'pleural effusion'],
    ['Lungs are clear without focal airspace disease or effusion.', 'effusion'],
    ['Negative for pneumothorax.', 'pneumothorax'],
    ['Lungs are clear of focal consolidation.', 'consolidation'],
    ['The lungs are free of infiltrate.', 'infiltrate'],
    ['Pneumothorax is not seen.', 'pneumothorax'],
    ['The previously seen effusion is no longer visualized.', 'effusion'],
    ['The left effusion has resolved.', 'effusion'],
    ['Interval resolution of the right pneumothorax.', 'pneumothorax'],
    ['Interval removal of the chest tube.', 'chest tube'],
    ['No focal airspace opacity to suggest pneumonia.', 'pneumonia'],
    ['Not suspicious for malignancy or mass.', 'mass'],
  ])('%s -> %s is absent', (sentence, term) => {
    expect(stateOf(sentence, term)).toBe('absent');
  });

  it.each([
    ['Cardiomegaly without pulmonary edema.', 'cardiomegaly'],
    ['No pneumothorax, but there is a small left effusion.', 'effusion'],
    ['No pneumothorax; moderate right effusion.', 'effusion'],
    ['There is no pneumothorax, however atelectasis persists at the left base.', 'atelectasis'],
    ['No change in the moderate cardiomegaly.', 'cardiomegaly'],
    ['No significant interval change in the left pleural effusion.', 'pleural effusion'],
    ['No pneumothorax, unchanged small left effusion.', 'effusion'],
    ['Left lower lobe consolidation is present.', 'consolidation'],
    ['XXXX atelectasis at the left base.', 'atelectasis'],
    ['The nasogastric tube is in the bronchus and should be removed.', 'nasogastric tube'],
    ['Borderline cardiomegaly.', 'cardiomegaly'],
    ['Probable right lower lobe atelectasis.', 'atelectasis'],
    // A differential names what is seen (the NegBio convention): both readings are present.
    ['Atelectasis versus scarring at the left base.', 'scarring'],
    ['Atelectasis versus scarring at the left base.', 'atelectasis'],
    ['Streaky opacity, infiltrate vs. atelectasis.', 'atelectasis'],
  ])('%s -> %s is present', (sentence, term) => {
    expect(stateOf(sentence, term)).toBe('present');
  });
});

describe('uncertainty', () => {
  it.each([
    ['Opacity may represent pneumonia.', 'pneumonia'],
    ['Pneumonia cannot be excluded.', 'pneumonia'],
    ['Cannot exclude a small pneumothorax.', 'pneumothorax'],
    ['Superimposed infection is not excluded.', 'infection'],
    ['Findings suggestive of pulmonary edema.', 'edema'],
    ['Right basilar opacity, concerning for pneumonia.', 'pneumonia'],
    ['Possible small left effusion.', 'effusion'],
    ['Questionable nodule in the right upper lobe.', 'nodule'],
    ['Small bilateral effusions suspected.', 'effusions'],
    ['Difficult to exclude a cavitary lesion.', 'lesion'],
    ['Bony overlap could obscure a small nodule.', 'nodule'],
  ])('%s -> %s is uncertain', (sentence, term) => {
    expect(stateOf(sentence, term)).toBe('uncertain');
  });

  it('does not read "cannot exclude" as a negation of what follows', () => {
    expect(stateOf('Can not exclude early infiltrate.', 'infiltrate')).toBe('uncertain');
  });

  it('scopes a hedge to its clause', () => {
    expect(stateOf('Possible pneumonia; large right effusion.', 'effusion')).toBe('present');
  });
});
