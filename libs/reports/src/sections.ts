import type { RadiologyReport } from '@radflow/schemas';
import {
  HEADER_PHRASE_PATTERN,
  SECTION_TERMINATOR,
  headerKeyOf,
  isFindingsAndImpression,
  type HeaderKey,
  type SectionKey,
} from './section-headers.ts';

export type ReportSections = RadiologyReport['sections'];

interface Boundary {
  /** Offset where the header (or terminator line) starts: the previous section ends here. */
  start: number;
  /** Offset where this section's own text starts. */
  contentStart: number;
  key: HeaderKey | 'end';
  findingsToo: boolean;
}

const CANDIDATE = new RegExp(`(?<![A-Za-z0-9])(${HEADER_PHRASE_PATTERN})(?![A-Za-z0-9])`, 'gi');
// After the phrase: an optional number ("ADDENDUM #1"), closing decoration, then a colon, a dash, the end of the line or text.
const AFTER = /^[ \t]*(?:#?[ \t]*\d{1,2}(?![\d/.:-]))?[ \t]*[*_\]=]*[ \t]*(:|\s-\s|-{2,}|$)/;
const LINE_START_DECORATION = /^[ \t]*[*_#=[-]*[ \t]*$/;

/**
 * Split a radiology report into INDICATION, COMPARISON, TECHNIQUE, FINDINGS, IMPRESSION and ADDENDUM,
 * tolerating how reports are really written: any case, colon or none, headers alone on a line or inline
 * ("FINDINGS: ... IMPRESSION: ..."), numbered impressions, signature blocks and addenda at top or bottom.
 * Text before the first header and signature trailers belong to no section; the full text is kept elsewhere.
 */
export function parseSections(text: string): ReportSections {
  const normalized = text.replace(/\r\n?/g, '\n');
  const boundaries = findBoundaries(normalized);
  const collected = new Map<SectionKey, string[]>();
  let open: Boundary | undefined;

  const close = (end: number): void => {
    if (!open || open.key === 'end' || open.key === 'other') return;
    const content = tidy(normalized.slice(open.contentStart, end));
    if (content.length === 0) return;
    const keys: SectionKey[] = open.findingsToo ? ['findings', open.key] : [open.key];
    for (const key of keys) {
      const list = collected.get(key) ?? [];
      list.push(content);
      collected.set(key, list);
    }
  };

  for (const boundary of boundaries) {
    // An addendum runs to its signature or "ORIGINAL REPORT": headers inside it are the addendum's own words.
    if (open?.key === 'addendum' && boundary.key !== 'end' && !isOriginalReportMarker(normalized, boundary))
      continue;
    close(boundary.start);
    open = boundary;
  }
  close(normalized.length);

  const sections: ReportSections = {};
  for (const [key, parts] of collected) sections[key] = parts.join('\n');
  return sections;
}

function findBoundaries(text: string): Boundary[] {
  const boundaries: Boundary[] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    const phrase = match[1] ?? '';
    const at = match.index;
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    let lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) lineEnd = text.length;
    const before = text.slice(lineStart, at);
    const afterText = text.slice(at + phrase.length, lineEnd);
    const after = AFTER.exec(afterText);
    const key = headerKeyOf(phrase);
    if (key === undefined) continue;
    const atLineStart = LINE_START_DECORATION.test(before);
    const upper = phrase === phrase.toUpperCase();
    const capitalized = /^[A-Z]/.test(phrase);
    let contentStart: number | undefined;
    if (after && (after[1] === ':' || after[1]?.includes('-'))) {
      const isHeader =
        atLineStart ||
        (upper && /\s$/.test(before)) ||
        (capitalized && (/[.!?;][ \t]+$/.test(before) || /[ \t]{2,}$/.test(before)));
      if (isHeader) contentStart = at + phrase.length + after[0].length;
    } else if (after && after[1] === '' && atLineStart) {
      contentStart = at + phrase.length + after[0].length;
    } else if (atLineStart && upper) {
      // "IMPRESSION  No acute disease." / "FINDINGS The lungs are clear." (but not "HISTORY OF COPD" in an all-caps report)
      const rest = afterText;
      if (/^[ \t]{2,}\S|^\t\S/.test(rest) || (/^[ \t]+\S/.test(rest) && /[a-z]/.test(rest))) {
        contentStart = at + phrase.length + (/^[ \t]*/.exec(rest)?.[0].length ?? 0);
      }
    }
    if (contentStart === undefined) continue;
    boundaries.push({
      start: atLineStart ? lineStart : at,
      contentStart,
      key,
      findingsToo: key === 'impression' && isFindingsAndImpression(phrase),
    });
  }
  for (const line of text.matchAll(/^.*$/gm)) {
    if (SECTION_TERMINATOR.test(line[0])) {
      boundaries.push({ start: line.index, contentStart: line.index, key: 'end', findingsToo: false });
    }
  }
  return boundaries.sort((a, b) => a.start - b.start || (a.key === 'end' ? -1 : 1));
}

function isOriginalReportMarker(text: string, boundary: Boundary): boolean {
  return /original report/i.test(text.slice(boundary.start, boundary.contentStart));
}

function tidy(content: string): string {
  return content
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/^[ \t]*[*_=-]{3,}[ \t]*$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
