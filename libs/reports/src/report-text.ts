import { parseSections, type ReportSections } from './sections.ts';
import { priorHintsFromComparison, type PriorHints } from './prior-hints.ts';

export interface ReportTextAnalysis {
  sections: ReportSections;
  priorHints?: PriorHints;
}

/** Sections and prior-report hints of a report's full text, as the readers put them on the canonical report. */
export function analyzeReportText(text: string, knownSections: ReportSections = {}): ReportTextAnalysis {
  const parsed = parseSections(text);
  // Sections a sender coded explicitly (OBX-3 / Observation.code) win over those found in the text.
  const sections: ReportSections = { ...parsed, ...dropEmpty(knownSections) };
  const priorHints = priorHintsFromComparison(sections.comparison);
  return priorHints ? { sections, priorHints } : { sections };
}

function dropEmpty(sections: ReportSections): ReportSections {
  const out: ReportSections = {};
  for (const [key, value] of Object.entries(sections) as Array<[keyof ReportSections, string | undefined]>) {
    if (value !== undefined && value.trim().length > 0) out[key] = value.trim();
  }
  return out;
}
