/**
 * HL7 v2 escaping for values written with the standard delimiters `|^~\&`: the escape character first, so
 * the escapes it introduces are not escaped again. Line breaks and other control characters cannot appear
 * in a field; they become spaces (multi-line text is split into one OBX per line by the builder).
 */
export function escapeHl7(value: string): string {
  return (
    value
      .replace(/\\/g, '\\E\\')
      .replace(/\|/g, '\\F\\')
      .replace(/\^/g, '\\S\\')
      .replace(/&/g, '\\T\\')
      .replace(/~/g, '\\R\\')
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
  );
}

/** A composite field (components joined by `^`), each component escaped; trailing empty components dropped. */
export function composite(...components: (string | undefined)[]): string {
  const escaped = components.map((component) => escapeHl7(component ?? ''));
  while (escaped.length > 0 && escaped[escaped.length - 1] === '') escaped.pop();
  return escaped.join('^');
}

/** A component made of subcomponents (joined by `&`), each escaped, for HD inside CX and similar. */
export function subcomponents(...parts: (string | undefined)[]): string {
  const escaped = parts.map((part) => escapeHl7(part ?? ''));
  while (escaped.length > 0 && escaped[escaped.length - 1] === '') escaped.pop();
  return escaped.join('&');
}

/** A segment from its fields (already escaped); trailing empty fields dropped. */
export function segment(name: string, fields: (string | undefined)[]): string {
  const values = fields.map((field) => field ?? '');
  while (values.length > 0 && values[values.length - 1] === '') values.pop();
  return [name, ...values].join('|');
}

/**
 * A segment from its fields by HL7 position (`{ 5: name }` is PID-5), each already escaped; positions left out are
 * empty and trailing empty fields are dropped. MSH counts like the standard: MSH-1 is the field separator itself
 * and MSH-2 the encoding characters, so `{ 2: '^~\\&', 12: '2.5.1' }` puts the version in MSH-12 exactly.
 */
export function segmentAt(name: string, fields: Readonly<Record<number, string | undefined>>): string {
  const first = name === 'MSH' ? 2 : 1;
  const positions = Object.keys(fields).map(Number);
  const bad = positions.find((n) => !Number.isInteger(n) || n < first);
  if (bad !== undefined) throw new Error(`segmentAt: ${name}-${bad} cannot be written as a field`);
  const last = Math.max(first - 1, ...positions);
  const values: string[] = [];
  for (let n = first; n <= last; n++) values.push(fields[n] ?? '');
  return segment(name, values);
}

/** ISO 8601 → HL7 DTM in UTC (YYYYMMDDHHMMSS+0000); undefined when the time cannot be read. */
export function hl7Timestamp(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return undefined;
  const d = new Date(millis);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}+0000`;
}
