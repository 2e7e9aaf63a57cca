/**
 * LLaVA-Med's answer normalisation (llava/eval/eval_metrics/glossary.py `normalize_word`, as run_eval.py applies
 * it after lower-casing), reproduced rule for rule because the paper's "F1-score" is defined by that code:
 * - each punctuation mark below is deleted when it touches a space somewhere in the text (or when the text has a
 *   digit,digit group anywhere), otherwise replaced by a space;
 * - periods not followed by a digit are deleted (at most 32 of them: the original passes re.UNICODE, 32, as the
 *   count argument of re.sub);
 * - number words none/zero..ten become digits; articles a/an/the are dropped; contractions written without the
 *   apostrophe get it back; remaining commas are removed.
 */
const PUNCTUATION = [
  ';',
  '/',
  '[',
  ']',
  '"',
  '{',
  '}',
  '(',
  ')',
  '=',
  '+',
  '\\',
  '_',
  '-',
  '>',
  '<',
  '@',
  '`',
  ',',
  '?',
  '!',
];
const DIGIT_COMMA_DIGIT = /\d,\d/;
const MAX_PERIOD_DELETIONS = 32;

const NUMBER_WORDS: Readonly<Record<string, string>> = {
  none: '0',
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
};
const ARTICLES = new Set(['a', 'an', 'the']);

// The glossary's table, keys lower-cased (its input is already lower case, so capitalised keys never match).
const CONTRACTIONS: Readonly<Record<string, string>> = Object.fromEntries(
  (
    "aint:ain't arent:aren't cant:can't couldve:could've couldnt:couldn't couldn'tve:couldn't've couldnt've:couldn't've " +
    "didnt:didn't doesnt:doesn't dont:don't hadnt:hadn't hadnt've:hadn't've hadn'tve:hadn't've hasnt:hasn't havent:haven't " +
    "hed:he'd hed've:he'd've he'dve:he'd've hes:he's howd:how'd howll:how'll hows:how's id've:i'd've i'dve:i'd've im:i'm " +
    "ive:i've isnt:isn't itd:it'd itd've:it'd've it'dve:it'd've itll:it'll let's:let's maam:ma'am mightnt:mightn't " +
    "mightnt've:mightn't've mightn'tve:mightn't've mightve:might've mustnt:mustn't mustve:must've neednt:needn't notve:not've " +
    "oclock:o'clock oughtnt:oughtn't ow's'at:'ow's'at 'ows'at:'ow's'at 'ow'sat:'ow's'at shant:shan't shed've:she'd've " +
    "she'dve:she'd've she's:she's shouldve:should've shouldnt:shouldn't shouldnt've:shouldn't've shouldn'tve:shouldn't've " +
    "somebody'd:somebodyd somebodyd've:somebody'd've somebody'dve:somebody'd've somebodyll:somebody'll somebodys:somebody's " +
    "someoned:someone'd someoned've:someone'd've someone'dve:someone'd've someonell:someone'll someones:someone's " +
    "somethingd:something'd somethingd've:something'd've something'dve:something'd've somethingll:something'll thats:that's " +
    "thered:there'd thered've:there'd've there'dve:there'd've therere:there're theres:there's theyd:they'd theyd've:they'd've " +
    "they'dve:they'd've theyll:they'll theyre:they're theyve:they've twas:'twas wasnt:wasn't wed've:we'd've we'dve:we'd've " +
    "weve:we've werent:weren't whatll:what'll whatre:what're whats:what's whatve:what've whens:when's whered:where'd " +
    "wheres:where's whereve:where've whod:who'd whod've:who'd've who'dve:who'd've wholl:who'll whos:who's whove:who've " +
    "whyll:why'll whyre:why're whys:why's wont:won't wouldve:would've wouldnt:wouldn't wouldnt've:wouldn't've " +
    "wouldn'tve:wouldn't've yall:y'all yall'll:y'all'll y'allll:y'all'll yall'd've:y'all'd've y'alld've:y'all'd've " +
    "y'all'dve:y'all'd've youd:you'd youd've:you'd've you'dve:you'd've youll:you'll youre:you're youve:you've"
  )
    .split(' ')
    .map((pair) => {
      const colon = pair.indexOf(':');
      return [pair.slice(0, colon), pair.slice(colon + 1)] as const;
    }),
);

function deletePeriods(text: string): string {
  let deletions = 0;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '.' && deletions < MAX_PERIOD_DELETIONS && !/\d/.test(text[i + 1] ?? '')) {
      deletions++;
      continue;
    }
    out += ch;
  }
  return out;
}

/** One pass of LLaVA-Med's `normalize_word` (input expected lower-cased, as run_eval.py does). */
export function llavaNormalizeWord(text: string): string {
  const deleteAll = DIGIT_COMMA_DIGIT.test(text);
  let working = text;
  for (const p of PUNCTUATION) {
    // The original tests the text as it was on entry, not the partly rewritten one.
    const touchesSpace = text.includes(p + ' ') || text.includes(' ' + p);
    working = working.split(p).join(deleteAll || touchesSpace ? '' : ' ');
  }
  const words = deletePeriods(working)
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => NUMBER_WORDS[w] ?? w)
    .filter((w) => !ARTICLES.has(w))
    .map((w) => CONTRACTIONS[w] ?? w);
  return words.join(' ').split(',').join('');
}

/** What run_eval.py feeds to its metrics: lower-case, then `normalize_word`. */
export function llavaNormalize(text: string): string {
  return llavaNormalizeWord(text.toLowerCase());
}

/** Whitespace unigrams with counts, as `split_sentence(text, 1)`. */
export function unigramCounts(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}
