/** One run of a word-level diff: text both sides share, or text only the draft ('removed') or only the signed report ('added') has. */
export interface DiffPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** Words with their trailing whitespace, so joining the parts gives the text back. */
export function tokenize(text: string): string[] {
  return text.trimStart().match(/\S+\s*/g) ?? [];
}

const norm = (token: string) => token.trim().toLowerCase();

/** Beyond this many words on both sides the diff is one removal and one addition (LCS is quadratic). */
export const MAX_DIFF_TOKENS = 2000;

function pushPart(parts: DiffPart[], kind: DiffPart['kind'], text: string): void {
  const last = parts.at(-1);
  // The last word of one side may meet a word of the other: keep them apart.
  if (last && !/\s$/.test(last.text)) last.text += ' ';
  if (last && last.kind === kind) last.text += text;
  else parts.push({ kind, text });
}

/**
 * A word-level diff from `from` (the AI draft) to `to` (the signed impression): the longest common subsequence of
 * their words, compared case-insensitively and ignoring whitespace, with adjacent runs of one kind merged.
 * Concatenating the 'same' and 'added' parts gives `to` (less leading whitespace); the 'same' and 'removed'
 * parts give `from`'s words.
 */
export function wordDiff(from: string, to: string): DiffPart[] {
  const a = tokenize(from);
  const b = tokenize(to);
  const parts: DiffPart[] = [];
  if (a.length * b.length > MAX_DIFF_TOKENS * MAX_DIFF_TOKENS || a.length > MAX_DIFF_TOKENS * 10) {
    if (a.length) pushPart(parts, 'removed', a.join(''));
    if (b.length) pushPart(parts, 'added', b.join(''));
    return parts;
  }
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] =
        norm(a[i]!) === norm(b[j]!) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (norm(a[i]!) === norm(b[j]!)) {
      // Keep the signed report's spelling for shared words (it is the text the reader trusts).
      pushPart(parts, 'same', b[j]!);
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) pushPart(parts, 'removed', a[i++]!);
    else pushPart(parts, 'added', b[j++]!);
  }
  while (i < a.length) pushPart(parts, 'removed', a[i++]!);
  while (j < b.length) pushPart(parts, 'added', b[j++]!);
  return parts;
}

/** Whether two texts differ in their words (case and spacing aside). */
export function textsDiffer(a: string, b: string): boolean {
  const words = (s: string) => tokenize(s).map(norm).join(' ');
  return words(a) !== words(b);
}
