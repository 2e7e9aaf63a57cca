import { InboundMessageError } from '@radflow/reports';

export interface BatchIssue {
  error: InboundMessageError;
  /** The bytes (or text) concerned, for the dead-letter record; absent for count mismatches. */
  content?: Uint8Array | string;
}

export interface SplitBatch<T extends Uint8Array | string> {
  /** Each message from its MSH to the next MSH/BHS/BTS/FHS/FTS, as bytes or text like the input. */
  messages: T[];
  /** Whether FHS/BHS envelopes were present. */
  batched: boolean;
  issues: BatchIssue[];
}

// eslint-disable-next-line no-control-regex -- MLLP block characters mark message starts too
const BOUNDARY = /(?:^|[\r\n\u000b\u001c])(FHS|BHS|MSH|BTS|FTS)(?=[^A-Za-z0-9\r\n]|$)/g;

/**
 * Split an HL7 batch file (FHS/BHS ... BTS/FTS), or several messages simply written one after another, into
 * messages. Byte input is split without decoding so each message is later decoded by its own MSH-18.
 * Trailer counts (BTS-1, FTS-1) are checked: a batch with fewer messages than its trailer says was cut short.
 */
export function splitHl7Batch<T extends Uint8Array | string>(input: T): SplitBatch<T> {
  const text = typeof input === 'string' ? input : latin1(input);
  const slice = (from: number, to: number): T =>
    (typeof input === 'string' ? input.slice(from, to) : (input as Uint8Array).subarray(from, to)) as T;

  const marks: Array<{ name: string; at: number }> = [];
  for (const m of text.matchAll(BOUNDARY)) {
    const name = m[1] ?? '';
    marks.push({ name, at: m.index + m[0].length - name.length });
  }
  const issues: BatchIssue[] = [];
  const leading = text.slice(0, marks[0]?.at ?? text.length);
  // eslint-disable-next-line no-control-regex -- MLLP block characters are not content
  if (leading.replace(/[\s\u000b\u001c]/g, '').length > 0) {
    issues.push({
      error: new InboundMessageError('NOT_HL7', 'content before the first FHS/BHS/MSH segment'),
      content: slice(0, marks[0]?.at ?? text.length),
    });
  }

  const messages: T[] = [];
  let batched = false;
  let inFile = false;
  let inBatch = false;
  let batchMessages = 0;
  let fileBatches = 0;
  for (let k = 0; k < marks.length; k++) {
    const mark = marks[k];
    if (!mark) continue;
    const next = marks[k + 1]?.at ?? text.length;
    const segment = text.slice(mark.at, next);
    switch (mark.name) {
      case 'FHS':
        batched = true;
        inFile = true;
        fileBatches = 0;
        break;
      case 'BHS':
        batched = true;
        inBatch = true;
        batchMessages = 0;
        fileBatches++;
        break;
      case 'MSH':
        messages.push(slice(mark.at, next));
        batchMessages++;
        break;
      case 'BTS':
        issues.push(...trailerMismatch(segment, 'BTS', batchMessages));
        inBatch = false;
        break;
      case 'FTS':
        issues.push(...trailerMismatch(segment, 'FTS', fileBatches));
        inFile = false;
        break;
    }
  }
  if (messages.length === 0 && issues.length === 0) {
    issues.push({
      error: new InboundMessageError(
        'NOT_HL7',
        text.trim() === '' ? 'input is empty' : 'no MSH segment found',
      ),
      content: input,
    });
  }
  if (inBatch)
    issues.push({
      error: new InboundMessageError(
        'TRUNCATED',
        'batch has no BTS trailer: input ends inside the batch',
        'BTS',
      ),
    });
  if (inFile)
    issues.push({
      error: new InboundMessageError(
        'TRUNCATED',
        'file has no FTS trailer: input ends inside the file',
        'FTS',
      ),
    });
  return { messages, batched, issues };
}

/** What each trailer's first field counts, and in what. */
const TRAILERS = {
  BTS: { counts: 'messages', in: 'batch' },
  FTS: { counts: 'batches', in: 'file' },
} as const;

/** A trailer whose count (BTS-1, FTS-1) differs from what was `held`: the input was cut short. None or one issue. */
function trailerMismatch(segment: string, trailer: keyof typeof TRAILERS, held: number): BatchIssue[] {
  const declared = trailerCount(segment);
  if (declared === undefined || declared === held) return [];
  const { counts, in: container } = TRAILERS[trailer];
  const reason = `${trailer}-1 declares ${declared} ${counts}, the ${container} holds ${held}`;
  return [{ error: new InboundMessageError('TRUNCATED', reason, `${trailer}-1`) }];
}

function trailerCount(segment: string): number | undefined {
  const separator = segment.charAt(3);
  const value =
    segment
      .split(/[\r\n]/, 1)[0]
      ?.split(separator)[1]
      ?.trim() ?? '';
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  const step = 8192;
  for (let i = 0; i < bytes.length; i += step) out += String.fromCharCode(...bytes.subarray(i, i + step));
  return out;
}
