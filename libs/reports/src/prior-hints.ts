import type { RadiologyReport } from '@radflow/schemas';

export type PriorHints = NonNullable<RadiologyReport['priorHints']>;

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const MONTH =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

interface DatePattern {
  re: RegExp;
  toDate: (m: RegExpExecArray) => string | undefined;
}

const DATE_PATTERNS: DatePattern[] = [
  { re: /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g, toDate: (m) => ymd(m[1], m[2], m[3]) },
  { re: /\b((?:19|20)\d{2})(\d{2})(\d{2})\b/g, toDate: (m) => ymd(m[1], m[2], m[3]) },
  // US order (MM/DD/YYYY) unless the first number cannot be a month.
  {
    re: /\b(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})\b/g,
    toDate: (m) => {
      const a = Number(m[1]);
      return a > 12 ? ymd(year(m[3]), m[2], m[1]) : ymd(year(m[3]), m[1], m[2]);
    },
  },
  {
    re: new RegExp(`\\b${MONTH}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'gi'),
    toDate: (m) => ymd(m[3], monthNumber(m[1]), m[2]),
  },
  {
    re: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?[\\s-]+${MONTH}\\.?,?[\\s-]+(\\d{4}|\\d{2})\\b`, 'gi'),
    toDate: (m) => ymd(year(m[3]), monthNumber(m[2]), m[1]),
  },
  {
    re: new RegExp(`\\b${MONTH}\\.?,?\\s+(\\d{4})\\b`, 'gi'),
    toDate: (m) => ym(m[2], monthNumber(m[1])),
  },
];

const NO_PRIOR =
  /^\s*(?:none(?: available| seen| on file)?|n\/?a|not available|unavailable|no(?:ne)? (?:prior|previous|old|comparison)s?\b.*|there (?:are|is) no (?:prior|previous|comparison)\b.*)\s*\.?\s*$/i;

/**
 * What a COMPARISON section says about prior studies: the dates it names (ISO, most specific available),
 * and whether it says there is none. Dates that XXXX de-identification removed are simply not found.
 */
export function priorHintsFromComparison(comparison: string | undefined): PriorHints | undefined {
  if (comparison === undefined) return undefined;
  const comparisonText = comparison.trim();
  if (comparisonText.length === 0) return undefined;
  const hints: PriorHints = { comparisonText };
  const found: Array<{ at: number; end: number; date: string }> = [];
  for (const pattern of DATE_PATTERNS) {
    for (const m of comparisonText.matchAll(pattern.re)) {
      const at = m.index;
      const end = at + m[0].length;
      if (found.some((f) => at < f.end && end > f.at)) continue;
      const date = pattern.toDate(m as unknown as RegExpExecArray);
      if (date !== undefined) found.push({ at, end, date });
    }
  }
  const dates = [...new Set(found.sort((a, b) => a.at - b.at).map((f) => f.date))];
  if (dates.length > 0) hints.priorDates = dates;
  if (dates.length === 0 && NO_PRIOR.test(comparisonText)) hints.noPrior = true;
  return hints;
}

function monthNumber(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const n = MONTHS[name.toLowerCase().slice(0, name.toLowerCase().startsWith('sept') ? 4 : 3)];
  return n === undefined ? undefined : String(n);
}

function year(y: string | undefined): string | undefined {
  if (y === undefined) return undefined;
  if (y.length === 4) return y;
  const n = Number(y);
  return String(n <= 69 ? 2000 + n : 1900 + n);
}

function ymd(y: string | undefined, m: string | undefined, d: string | undefined): string | undefined {
  if (y === undefined || m === undefined || d === undefined) return undefined;
  const yy = Number(y);
  const mm = Number(m);
  const dd = Number(d);
  if (!(yy >= 1900 && yy <= 2099 && mm >= 1 && mm <= 12 && dd >= 1 && dd <= daysIn(yy, mm))) return undefined;
  return `${yy}-${pad(mm)}-${pad(dd)}`;
}

function ym(y: string | undefined, m: string | undefined): string | undefined {
  if (y === undefined || m === undefined) return undefined;
  const yy = Number(y);
  const mm = Number(m);
  if (!(yy >= 1900 && yy <= 2099 && mm >= 1 && mm <= 12)) return undefined;
  return `${yy}-${pad(mm)}`;
}

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
const pad = (n: number): string => String(n).padStart(2, '0');
