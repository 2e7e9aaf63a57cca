/** The report text the labeler reads: findings then impression (either may be missing, as in Open-i). */
export interface ReportTextInput {
  findings?: string | null;
  impression?: string | null;
}

export type ReportText = string | ReportTextInput;

export interface Sentence {
  /** Position in the whole report text (findings sentences first, then impression). */
  index: number;
  section: 'findings' | 'impression' | 'text';
  text: string;
}

// A sentence ends at . ! ? or a line break. A period does not end one inside a number (3.4 cm), after a list
// number ("1. No effusion": the number is dropped as a sentence of its own), or after common abbreviations.
// Open-i sometimes drops the space after a period ("apex.There"): a period followed by a capital still ends one.
const ABBREVIATIONS = /\b(?:dr|mr|mrs|ms|vs|e\.g|i\.e|approx|fig)\.$/i;

function splitSection(text: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const next = text[i + 1] ?? '';
    if (ch === '\n' || ch === '\r') {
      pieces.push(current);
      current = '';
      continue;
    }
    current += ch;
    if (ch === '!' || ch === '?') {
      pieces.push(current);
      current = '';
    } else if (ch === '.') {
      const prev = text[i - 1] ?? '';
      const decimal = /\d/.test(prev) && /\d/.test(next);
      const boundary = next === '' || /\s/.test(next) || /[A-Z]/.test(next);
      const abbreviation =
        /\s/.test(next) && ABBREVIATIONS.test(current) && !/^\s*[A-Z]/.test(text.slice(i + 1));
      if (!decimal && boundary && !abbreviation) {
        pieces.push(current);
        current = '';
      }
    }
  }
  pieces.push(current);
  return pieces
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => /[a-z]{2,}/i.test(p.replace(/x{4}/gi, '')));
}

/** Sentences of a report, numbered across findings and impression. */
export function splitReportSentences(report: ReportText): Sentence[] {
  const parts: [Sentence['section'], string][] =
    typeof report === 'string'
      ? [['text', report]]
      : [
          ['findings', report.findings ?? ''],
          ['impression', report.impression ?? ''],
        ];
  const sentences: Sentence[] = [];
  for (const [section, text] of parts) {
    for (const sentence of splitSection(text))
      sentences.push({ index: sentences.length, section, text: sentence });
  }
  return sentences;
}
