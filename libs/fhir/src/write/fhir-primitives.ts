/** FHIR R4 `dateTime`: a year, year-month, date, or date-time with seconds and a time zone. */
const FHIR_DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;

/**
 * The source's timestamp as a FHIR dateTime, or undefined when it cannot be read: a timestamp the EHR would
 * reject is not worth losing the whole AI result for.
 */
export function toFhirDateTime(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (FHIR_DATE_TIME.test(value)) return value;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

/** A FHIR `instant` (full date-time with zone); radflow's own timestamps are always ISO 8601. */
export function toFhirInstant(value: string): string {
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new RangeError('generatedAt is not a date-time');
  return new Date(parsed).toISOString();
}

/** Milliseconds since the epoch for ordering report versions, undefined when unknown. */
export function epochMillis(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * Free text as a valid FHIR `string`: control characters other than tab and line breaks removed, trimmed,
 * and undefined when nothing is left (FHIR forbids empty strings). Model output is never trusted to be clean.
 */
export function fhirText(value: string | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const cleaned = value?.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ').trim();
  return cleaned ? cleaned : undefined;
}

/**
 * Text for a FHIR `markdown` element (Annotation.text): what could open an HTML tag is backslash-escaped
 * (CommonMark shows `\<` as `<`), so model text an EHR renders as markdown can never become markup.
 */
export function markdownText(value: string): string {
  return value.replace(/[\\<>]/g, (character) => `\\${character}`);
}
