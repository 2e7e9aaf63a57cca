/**
 * Negation and uncertainty of a mention, NegEx / CheXpert-labeler style: triggers before the mention (pre) or
 * after it (post) put it in their scope unless a scope terminator ("but", "however", a semicolon...) or the end
 * of the sentence comes first. Pseudo-triggers ("no change in", "not only") look like triggers and are not.
 * Uncertainty wins over negation ("pneumonia is not excluded"), except when the negation opens the clause and the
 * hedge follows it ("no opacity to suggest pneumonia" is absent).
 *
 * "Probable", "likely" and "borderline" are not hedges here: they lean to presence ("borderline cardiomegaly" is
 * mild cardiomegaly), as the NegBio gold standard of Open-i reads them too.
 *
 * Open-i replaced some words by "XXXX" when it de-identified the reports ("There are no XXXX of a pleural
 * effusion"): XXXX is treated as an ordinary unknown word, so it neither triggers nor ends a scope.
 */
export type MentionState = 'present' | 'absent' | 'uncertain';

export interface Span {
  start: number;
  end: number;
}

const rx = (source: string) => new RegExp(source, 'gi');

const PRE_NEGATION = rx(
  [
    String.raw`\bno\b`,
    String.raw`\bnot\b`,
    String.raw`\bnor\b`,
    String.raw`\bwithout\b`,
    String.raw`\bnegative for\b`,
    String.raw`\bfree of\b`,
    String.raw`\bclear of\b`,
    String.raw`\babsence of\b`,
    String.raw`\babsent\b`,
    String.raw`\bresolution of\b`,
    String.raw`\bresolved\b`,
    String.raw`\bremoval of\b`,
    String.raw`\bremoved\b`,
    String.raw`\bruled out\b`,
    String.raw`\brules out\b`,
    String.raw`\bdenies\b`,
    String.raw`\bneither\b`,
  ].join('|'),
);

const POST_NEGATION = rx(
  [
    String.raw`\b(?:is|are|was|were|has been|have been)?\s*(?:not|no longer)\s+(?:\w+ly\s+)?(?:seen|identified|present|visualized|visualised|demonstrated|appreciated|evident|noted|detected|visible|apparent|shown)\b`,
    String.raw`\b(?:has|have)\s+(?:\w+ly\s+)?resolved\b`,
    String.raw`\b(?:is|are|was|were)\s+(?:\w+ly\s+)?(?:resolved|absent|removed|gone)\b`,
    String.raw`\bresolved\b`,
    String.raw`\b(?:has|have) been (?:\w+ly\s+)?removed\b`,
    String.raw`\bremoved\b`,
    String.raw`\bis ruled out\b`,
  ].join('|'),
);

const PRE_UNCERTAINTY = rx(
  [
    String.raw`\b(?:may|might|could)\s+(?:\w+ly\s+)?(?:be|represent|reflect|indicate|relate|signify|suggest|include|have|obscure|hide|mask)\b`,
    String.raw`\bpossib(?:le|ly|ility of)\b`,
    String.raw`\bmaybe\b`,
    String.raw`\bquestion(?:able|ably)?\b`,
    String.raw`\braises? (?:the )?(?:concern|question|possibility)\b`,
    String.raw`\bsuspicio(?:us|n) (?:for|of)\b`,
    String.raw`\bsuspect(?:ed)?\b`,
    String.raw`\bsuggest(?:ive of|s|ing)?\b`,
    String.raw`\bconcern(?:ing)? for\b`,
    String.raw`\bworrisome for\b`,
    String.raw`\bcan ?not (?:be )?(?:entirely |completely |totally |definitely )?(?:exclude|excluded|rule out|ruled out)\b`,
    String.raw`\bcan't (?:exclude|rule out)\b`,
    String.raw`\b(?:difficult|impossible|hard) to (?:exclude|rule out)\b`,
    String.raw`\bnot (?:be )?(?:entirely |completely |totally |definitely )?(?:excluded|ruled out)\b`,
    String.raw`\bdifferential (?:diagnosis )?(?:includes?|considerations?)?\b`,
    // "A versus B" is not a hedge here: the radiologist reports an opacity they see and names its leading
    // readings, and the NegBio reference counts both as present (train split: 149 -> 121 disagreements, validation
    // micro-F1 88.9 -> 90.1 when "versus" left this list). "Differential includes" stays a hedge.
    String.raw`\bequivocal\b`,
    String.raw`\bindeterminate\b`,
    String.raw`\bconsider(?:ed)?\b`,
    String.raw`\bpresum(?:ed|ably|ptive)\b`,
    String.raw`\bpotential(?:ly)?\b`,
    String.raw`\buncertain\b`,
  ].join('|'),
);

const POST_UNCERTAINTY = rx(
  [
    String.raw`\b(?:is|are|was|were)?\s*not (?:be )?(?:entirely |completely |totally |definitely )?(?:excluded|ruled out)\b`,
    String.raw`\bcan ?not (?:be )?(?:entirely |completely |totally |definitely )?(?:excluded|ruled out)\b`,
    String.raw`\b(?:is|are|was|were) (?:also )?(?:possible|questioned|not certain|uncertain|in question)\b`,
    String.raw`\bsuspected\b`,
    String.raw`\?`,
    String.raw`\bcould be\b`,
    String.raw`\bmay be present\b`,
    String.raw`\bis a consideration\b`,
    String.raw`\bnot (?:clearly|definitely|well) (?:seen|identified|visualized)\b`,
  ].join('|'),
);

/** Phrases that contain a negation word without negating the finding next to them. */
const PSEUDO_NEGATION = rx(
  [
    String.raw`\bno (?:significant |substantial |appreciable |definite |interval |other |apparent |major |acute |radiographic )*(?:change|increase|worsening|progression|enlargement|growth|difference)\b`,
    String.raw`\bnot (?:significantly |substantially )?(?:changed|increased|worsened|enlarged|only)\b`,
    String.raw`\bwithout (?:significant |interval |appreciable )*(?:change|increase|worsening|progression)\b`,
    String.raw`\bno longer (?:requires?|needs?)\b`,
    String.raw`\bgram negative\b`,
    // Recommendations are not statements: "should be removed" means it is still there.
    String.raw`\b(?:should|must|will|to|could) be (?:removed|withdrawn|retracted|repositioned)\b`,
    String.raw`\brecommend\w* (?:immediate |prompt )?(?:removal|retraction|withdrawal|repositioning)\b`,
    String.raw`\bnot (?:well|clearly) (?:seen|visualized|evaluated|assessed)\b`,
  ].join('|'),
);

/** What ends the scope of a trigger: adversative conjunctions, relative clauses, strong punctuation. */
const TERMINATORS = rx(
  [
    String.raw`\bbut\b`,
    String.raw`\bhowever\b`,
    String.raw`\balthough\b`,
    String.raw`\bthough\b`,
    String.raw`\bnevertheless\b`,
    String.raw`\byet\b`,
    String.raw`\bexcept\b`,
    String.raw`\baside from\b`,
    String.raw`\bapart from\b`,
    String.raw`\bwhich\b`,
    String.raw`\bwhereas\b`,
    String.raw`\bwhile\b`,
    String.raw`\bother than\b`,
    String.raw`\bthere (?:is|are|has been|have been)\b`,
    String.raw`\bcause of\b`,
    String.raw`\bsource of\b`,
    String.raw`[;:]`,
    String.raw`,\s+(?:and\s+)?(?:with\s+)?(?:stable|unchanged|persistent|new|chronic|increased|decreased|improved|worsened|worsening|interval)\b`,
  ].join('|'),
);

function spans(pattern: RegExp, text: string): Span[] {
  const out: Span[] = [];
  pattern.lastIndex = 0;
  for (const m of text.matchAll(pattern)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;
const inside = (a: Span, outer: Span) => a.start >= outer.start && a.end <= outer.end;

/** Precomputed trigger positions of one sentence, reused for all the mentions in it. */
export interface SentenceContext {
  text: string;
  preNegation: Span[];
  postNegation: Span[];
  preUncertainty: Span[];
  postUncertainty: Span[];
  terminators: Span[];
}

export function analyseSentence(sentence: string): SentenceContext {
  const text = sentence.toLowerCase();
  const pseudo = spans(PSEUDO_NEGATION, text);
  const preUncertainty = spans(PRE_UNCERTAINTY, text);
  const postUncertainty = spans(POST_UNCERTAINTY, text);
  const uncertain = [...preUncertainty, ...postUncertainty];
  // A negation word inside a pseudo-trigger or an uncertainty phrase ("cannot exclude", "not ruled out") is not a negation.
  const keep = (s: Span) => !pseudo.some((p) => overlaps(s, p)) && !uncertain.some((u) => overlaps(s, u));
  return {
    text,
    preNegation: spans(PRE_NEGATION, text).filter(keep),
    postNegation: spans(POST_NEGATION, text).filter(keep),
    preUncertainty,
    postUncertainty,
    terminators: spans(TERMINATORS, text),
  };
}

/** The clause around a mention: from the last terminator before it to the first one after it. */
function clauseOf(context: SentenceContext, mention: Span): Span {
  let start = 0;
  let end = context.text.length;
  for (const t of context.terminators) {
    if (t.end <= mention.start) start = Math.max(start, t.end);
    else if (t.start >= mention.end) end = Math.min(end, t.start);
  }
  return { start, end };
}

/** State of one mention in its sentence. */
export function mentionState(context: SentenceContext, mention: Span): MentionState {
  const clause = clauseOf(context, mention);
  const before: Span = { start: clause.start, end: mention.start };
  const after: Span = { start: mention.end, end: clause.end };
  const preNegations = context.preNegation.filter((t) => inside(t, before));
  const preUncertainties = context.preUncertainty.filter((t) => inside(t, before));
  // "No opacity to suggest pneumonia", "not suspicious for malignancy": a negation that opens the clause governs
  // the hedge that follows it.
  const firstNegation = Math.min(...preNegations.map((t) => t.start));
  const firstUncertainty = Math.min(...preUncertainties.map((t) => t.start));
  if (preNegations.length > 0 && firstNegation < firstUncertainty) return 'absent';
  if (preUncertainties.length > 0 || context.postUncertainty.some((t) => inside(t, after)))
    return 'uncertain';
  const negated = preNegations.length > 0 || context.postNegation.some((t) => inside(t, after));
  return negated ? 'absent' : 'present';
}
