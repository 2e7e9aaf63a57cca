import { InboundMessageError } from '@radflow/reports';

/** The five HL7 v2 encoding characters as a message declares them in MSH-1 and MSH-2. */
export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

export const STANDARD_DELIMITERS: Delimiters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
};

// eslint-disable-next-line no-control-regex -- control characters can never be HL7 delimiters
const UNUSABLE = /[A-Za-z0-9\s\u0000-\u001f\u007f]/;

/**
 * Read and check MSH-1/MSH-2 from the start of a message that begins with "MSH".
 * Returns the delimiters, or a typed error when they cannot be trusted to split the message.
 */
export function readDelimiters(text: string): Delimiters | InboundMessageError {
  const field = text.charAt(3);
  if (field === '' || UNUSABLE.test(field)) {
    return new InboundMessageError(
      'BAD_ENCODING_CHARACTERS',
      'MSH-1 field separator is missing or not a separator character',
      'MSH-1',
    );
  }
  const end = text.indexOf(field, 4);
  const segmentEnd = text.search(/[\r\n]/);
  const encoding = text.slice(
    4,
    end < 0 || (segmentEnd >= 0 && segmentEnd < end) ? Math.max(segmentEnd, 4) : end,
  );
  // MSH-2 has four characters, five from v2.7 (truncation character #).
  if (encoding.length < 4 || encoding.length > 5) {
    return new InboundMessageError(
      'BAD_ENCODING_CHARACTERS',
      `MSH-2 encoding characters must be 4 (or 5 from v2.7) characters, found ${encoding.length}`,
      'MSH-2',
    );
  }
  const chars = [field, ...encoding];
  if (chars.some((c) => UNUSABLE.test(c)) || new Set(chars).size !== chars.length) {
    return new InboundMessageError(
      'BAD_ENCODING_CHARACTERS',
      'MSH-2 encoding characters must be distinct punctuation characters different from the field separator',
      'MSH-2',
    );
  }
  return {
    field,
    component: encoding.charAt(0),
    repetition: encoding.charAt(1),
    escape: encoding.charAt(2),
    subcomponent: encoding.charAt(3),
  };
}
