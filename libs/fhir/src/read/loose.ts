/**
 * Inbound JSON is untrusted: every property may be missing or of any type. `Loose<T>` keeps the property
 * names of the @medplum/fhirtypes shape (so a typo does not compile) while forcing each value through a guard.
 */
export type Loose<T> = { [K in keyof T]?: unknown };

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function asLoose<T>(value: unknown): Loose<T> | undefined {
  return asRecord(value) as Loose<T> | undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A non-empty, trimmed string or undefined. */
export function asText(value: unknown): string | undefined {
  const s = asString(value)?.trim();
  return s ? s : undefined;
}
