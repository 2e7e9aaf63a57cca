/**
 * HL7 v2 DTM/TS (YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]) to ISO 8601, keeping the precision sent:
 * "20240102" -> "2024-01-02", "202401021530-0500" -> "2024-01-02T15:30-05:00".
 * Returns undefined for anything that is not a real date and time.
 */
export function hl7TimestampToIso(value: string): string | undefined {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/.exec(
    value.trim(),
  );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  if (year < 1800 || year > 2200) return undefined;
  if (mo !== undefined && !(Number(mo) >= 1 && Number(mo) <= 12)) return undefined;
  if (
    d !== undefined &&
    !(Number(d) >= 1 && Number(d) <= new Date(Date.UTC(year, Number(mo), 0)).getUTCDate())
  )
    return undefined;
  if (h !== undefined && Number(h) > 23) return undefined;
  if (mi !== undefined && Number(mi) > 59) return undefined;
  if (s !== undefined && Number(s) > 59) return undefined;
  if (frac !== undefined && s === undefined) return undefined;
  let iso = y ?? '';
  if (mo !== undefined) iso += `-${mo}`;
  if (d !== undefined) iso += `-${d}`;
  if (h !== undefined) {
    iso += `T${h}:${mi ?? '00'}`;
    if (s !== undefined) iso += `:${s}`;
    if (frac !== undefined) iso += `.${frac}`;
  } else if (zone !== undefined || mi !== undefined) {
    return d !== undefined && zone !== undefined && mi === undefined ? iso : undefined;
  }
  if (zone !== undefined && h !== undefined) {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(3, 5));
    if (zh > 14 || zm > 59) return undefined;
    iso += `${zone.slice(0, 3)}:${zone.slice(3, 5)}`;
  }
  return iso;
}

/** Current time as an HL7 DTM with zone, for MSH-7 of generated ACKs. */
export function hl7Now(now: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}+0000`
  );
}
