import { inStyle, type ImpressionStyle } from '@radflow/evaluation';
import type { RadiologyReport } from '@radflow/schemas';
import { canonicalReport, type TrainReport } from './feedback-fixtures.ts';

/**
 * A simulated radiologist: an identifier as OBR-32 carries it and one consistent impression style. What they sign is
 * the real Open-i impression rewritten in their style (libs/evaluation inStyle: same content, their form).
 */
export interface SimulatedRadiologist {
  label: string;
  interpreter: { id: string; system: string };
  style: ImpressionStyle;
}

export function simulatedRadiologist(
  label: string,
  run: string,
  style: ImpressionStyle,
): SimulatedRadiologist {
  return { label, interpreter: { id: `RAD-${label}-${run}`, system: 'urn:oid:1.2.840.99999.7' }, style };
}

/** The impression as this radiologist signs it. */
export function signedBy(radiologist: SimulatedRadiologist, source: TrainReport): string {
  return inStyle(source.impression, radiologist.style);
}

/** The finalized report, signed by this radiologist (resultInterpreter), with their impression. */
export function reportSignedBy(
  radiologist: SimulatedRadiologist,
  source: TrainReport,
  accession: string,
  version: string,
): RadiologyReport {
  const report = canonicalReport(source, accession, version);
  return {
    ...report,
    resultInterpreter: radiologist.interpreter,
    sections: { ...report.sections, impression: signedBy(radiologist, source) },
  };
}

/**
 * The text with its punctuation as words, for ROUGE-L that sees style: the repo's ROUGE-L (rouge-score's tokenizer)
 * drops everything outside [a-z0-9], so "Cardiomegaly. No effusion." and "Cardiomegaly; no effusion." score the
 * same. Here each full stop, semicolon, comma and line break is a token of its own.
 */
export function withPunctuationTokens(text: string): string {
  return text
    .replace(/\n/g, ' xnewline ')
    .replace(/;/g, ' xsemicolon ')
    .replace(/,/g, ' xcomma ')
    .replace(/\.(?=\s|$)/g, ' xstop ');
}
