/**
 * Two simulated radiologists with different, consistent impression styles (issue 18's per-radiologist check): one
 * numbers every finding on its own line, one writes a single sentence. Both are rewrites of the impression a real
 * radiologist signed, so the content stays the same and only the style differs.
 */
export type ImpressionStyle = 'numbered-list' | 'single-sentence';

const LIST_NUMBER = /^\s*\d+[.)]\s*/;

/** The statements of an impression, without list numbers or a trailing full stop. */
export function impressionStatements(impression: string): string[] {
  return impression
    .split(/\n+|(?<=\.)\s+(?=\d+[.)]\s)|(?<=[a-z0-9)]\.)\s+(?=[A-Z])/)
    .map((part) => part.replace(LIST_NUMBER, '').trim().replace(/\.+$/, '').trim())
    .filter((part) => part.length > 0);
}

function lowerFirst(statement: string): string {
  // Keep acronyms and laterality markers ("AP", "PICC") as written.
  return /^[A-Z][a-z]/.test(statement) ? statement[0]!.toLowerCase() + statement.slice(1) : statement;
}

/** The impression as the given radiologist would have written it. */
export function inStyle(impression: string, style: ImpressionStyle): string {
  const statements = impressionStatements(impression);
  if (statements.length === 0) return impression.trim();
  if (style === 'numbered-list') return statements.map((s, i) => `${i + 1}. ${s}.`).join('\n');
  const [first, ...rest] = statements;
  return `${[first!, ...rest.map(lowerFirst)].join('; ')}.`;
}

/** Which style a draft is written in: a numbered list, one sentence, or neither. */
export function styleOf(text: string): ImpressionStyle | 'other' {
  const lines = text
    .trim()
    .split(/\n+/)
    .filter((line) => line.trim());
  const oneNumberedFindingPerLine = lines.every(
    (line, i) => line.trim().startsWith(`${i + 1}. `) && !/\.\s+\d+[.)]\s/.test(line),
  );
  if (lines.length > 0 && oneNumberedFindingPerLine) return 'numbered-list';
  const body = text.trim();
  if (!LIST_NUMBER.test(body) && body.endsWith('.') && !/\.\s+\S/.test(body.slice(0, -1)))
    return 'single-sentence';
  return 'other';
}
