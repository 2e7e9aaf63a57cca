import type { Attachment, CodeableConcept, Coding, Observation } from '@medplum/fhirtypes';
import { LOINC_SECTION_CODES, sectionOfTitle, type SectionKey } from '@radflow/reports';
import type { BundleIndex } from './bundle-index.ts';
import { htmlToText } from './html-text.ts';
import { asArray, asLoose, asRecord, asString, asText, type Loose } from './loose.ts';

export interface UnusedPart {
  location: string;
  reason: string;
}

export interface NarrativePart {
  text: string;
  section?: SectionKey;
}

/** Report text from presentedForm: the first readable rendition; other renditions noted, not duplicated. */
export function presentedFormText(
  attachments: unknown[],
  at: string,
  unused: UnusedPart[],
): string | undefined {
  let primary: string | undefined;
  attachments.forEach((value, i) => {
    const location = `${at}.presentedForm[${i}]`;
    const attachment = asLoose<Attachment>(value);
    if (!attachment) {
      unused.push({ location, reason: 'attachment is not an object; not read' });
      return;
    }
    const contentType = (asString(attachment.contentType) ?? '').toLowerCase();
    const data = asString(attachment.data);
    if (data === undefined) {
      const reason = asText(attachment.url)
        ? 'attachment by URL only: not fetched'
        : 'attachment has no data';
      unused.push({ location, reason });
      return;
    }
    const mime = contentType.split(';')[0]?.trim() ?? '';
    const textual = mime === '' || mime.startsWith('text/plain') || /html|xhtml/.test(mime);
    if (!textual) {
      unused.push({ location, reason: `${mime.slice(0, 60)} rendition not decoded` });
      return;
    }
    const decoded = decodeBase64Text(data, contentType);
    if (decoded === undefined) {
      unused.push({ location, reason: 'attachment data is not valid base64 text' });
      return;
    }
    const text =
      /html|xhtml/.test(mime) || (mime === '' && /<(?:p|br|div|html)\b/i.test(decoded))
        ? htmlToText(decoded)
        : normalizeNewlines(decoded);
    if (primary === undefined) {
      primary = text;
    } else if (contains(primary, text)) {
      unused.push({ location, reason: 'another rendition of the same report text' });
    } else {
      primary = `${primary}\n\n${text}`;
    }
  });
  return primary;
}

/** Narrative of result Observations (contained or in the bundle), each with the section its code names. */
export function observationParts(
  results: unknown[],
  report: Record<string, unknown>,
  index: BundleIndex,
  at: string,
  unused: UnusedPart[],
): NarrativePart[] {
  const parts: NarrativePart[] = [];
  results.forEach((value, i) => {
    const location = `${at}.result[${i}]`;
    const reference = asText(asRecord(value)?.reference);
    if (!reference) {
      unused.push({ location, reason: 'result has no reference' });
      return;
    }
    const resolved = index.resolve(reference, report);
    if (!resolved || resolved.resourceType !== 'Observation') {
      unused.push({ location, reason: 'Observation not contained or in the bundle: not fetched' });
      return;
    }
    const observation = resolved.resource as Loose<Observation>;
    const status = asString(observation.status);
    if (status === 'entered-in-error' || status === 'cancelled') {
      unused.push({ location, reason: `Observation status ${status}; not carried` });
      return;
    }
    const text = observationValueText(observation);
    if (text === undefined) {
      unused.push({ location, reason: 'Observation has no string or coded value; not carried' });
      return;
    }
    if (asRecord(observation.valueCodeableConcept)) {
      unused.push({ location, reason: 'coded value: codes not carried (display text kept)' });
    }
    const section = sectionOfCode(asLoose<CodeableConcept>(observation.code));
    parts.push(section ? { text, section } : { text });
  });
  return parts;
}

function observationValueText(observation: Loose<Observation>): string | undefined {
  const valueString = asString(observation.valueString);
  if (valueString !== undefined && valueString.trim() !== '') return normalizeNewlines(valueString).trim();
  const concept = asLoose<CodeableConcept>(observation.valueCodeableConcept);
  if (concept) {
    const text =
      asText(concept.text) ??
      asArray(concept.coding)
        .map((c) => asText(asLoose<Coding>(c)?.display))
        .find((d) => d);
    if (text) return text;
  }
  return undefined;
}

export function sectionOfCode(code: Loose<CodeableConcept> | undefined): SectionKey | undefined {
  if (!code) return undefined;
  const codings = asArray(code.coding).map((c) => asLoose<Coding>(c));
  for (const coding of codings) {
    const key = LOINC_SECTION_CODES[asString(coding?.code) ?? ''];
    if (key) return key;
  }
  return sectionOfTitle(
    [asString(code.text), ...codings.map((c) => asString(c?.display))].filter(Boolean).join(' '),
  );
}

/** Whether `needle`'s words already appear, in order, in `haystack` (whitespace and case aside). */
export function contains(haystack: string, needle: string): boolean {
  const squash = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').trim();
  const n = squash(needle);
  return n === '' || squash(haystack).includes(n);
}

function decodeBase64Text(data: string, contentType: string): string | undefined {
  const compact = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1) return undefined;
  const bytes = Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
  const charset = /charset\s*=\s*"?([A-Za-z0-9_.:-]+)/i.exec(contentType)?.[1]?.toLowerCase();
  try {
    const text = new TextDecoder(charset ?? 'utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    // Unknown label or bytes that are not valid in it: windows-1252 maps every byte, so nothing is lost.
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
