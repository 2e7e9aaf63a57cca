import type { ReportStatus } from '@radflow/reports';

/**
 * OBR-25 result status (HL7 table 0123) to the canonical status. HL7 v2 has no "amended": a correction is C.
 * "A" is ambiguous in the field: the standard says "some results available", several radiology systems
 * send it for an addended report. It reads as amended when the report content is final (every OBX-11 F or C,
 * or an ADDENDUM section), otherwise as partial. Sites can override any code with `resultStatusMap`.
 */
const TABLE_0123: Record<string, ReportStatus | 'A?'> = {
  F: 'final',
  C: 'corrected',
  P: 'preliminary',
  R: 'preliminary',
  A: 'A?',
  X: 'cancelled',
  O: 'registered',
  I: 'registered',
  S: 'registered',
  D: 'entered-in-error',
  W: 'entered-in-error',
  Y: 'unknown',
  Z: 'unknown',
};

export function mapResultStatus(
  obr25: string,
  obxStatuses: readonly string[],
  hasAddendum: boolean,
  overrides: Readonly<Record<string, ReportStatus>> = {},
): ReportStatus {
  const code = obr25.trim().toUpperCase();
  const override = overrides[code];
  if (override !== undefined) return override;
  if (code === '') return fromObxStatuses(obxStatuses);
  const mapped = TABLE_0123[code];
  if (mapped === undefined) return 'unknown';
  if (mapped !== 'A?') return mapped;
  const contentFinal = obxStatuses.length > 0 && obxStatuses.every((s) => s === 'F' || s === 'C');
  return hasAddendum || contentFinal ? 'amended' : 'partial';
}

function fromObxStatuses(statuses: readonly string[]): ReportStatus {
  const known = statuses.filter((s) => s !== '');
  if (known.length === 0) return 'unknown';
  if (known.includes('C')) return 'corrected';
  if (known.every((s) => s === 'F')) return 'final';
  if (known.some((s) => s === 'P' || s === 'R' || s === 'I' || s === 'S')) return 'preliminary';
  return 'unknown';
}
