import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { createSchemaAjv, eventSchemas } from '@radflow/schemas';
import { INBOUND_ERROR_CODES, InboundMessageError } from '@radflow/reports';
import { describe, expect, it } from 'vitest';
import { buildAck } from './ack.ts';
import { ackCodeOf } from './inbound-error-ack.ts';
import { readHl7Messages } from './feed-reader.ts';
import { MllpDeframer, frameMllp } from './mllp.ts';
import { readOruR01, type OruReadResult } from './oru-reader.ts';

// Seeded so a failure reproduces; raise FUZZ_RUNS locally for a longer search.
const SEED = 20240501;
const RUNS = Number(process.env.FUZZ_RUNS ?? 6000);

const dir = new URL('../../../test/fixtures/hl7/', import.meta.url);
const corpus = readdirSync(dir)
  .filter((f) => f.endsWith('.hl7'))
  .sort()
  .map((f) => new Uint8Array(readFileSync(new URL(f, dir))));
const validate = createSchemaAjv().getSchema(eventSchemas['radiology-report.v1']!.$id)!;
// keepPatientName: the gateway's and ingest's reading (readInbound), so PID-5 is fuzzed too.
const options = { maxBytes: 65536, patientKeySalt: 'fuzz-salt', keepPatientName: true };
const encoder = new TextEncoder();
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

type Mutation = (input: Uint8Array) => Uint8Array;

const splitSegments = (b: Uint8Array): string[] => latin1(b).split(/(?<=\r)/);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Byte flips.
  fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
    .map((flips) => (b: Uint8Array) => {
      const out = b.slice();
      for (const [at, value] of flips) if (out.length > 0) out[at % out.length] = value;
      return out;
    }),
  // Truncation anywhere.
  fc.nat().map((at) => (b: Uint8Array) => b.subarray(0, b.length === 0 ? 0 : at % b.length)),
  // Segment deletion.
  fc.nat().map((at) => (b: Uint8Array) => {
    const segs = splitSegments(b);
    segs.splice(at % Math.max(segs.length, 1), 1);
    return fromLatin1(segs.join(''));
  }),
  // Segment duplication (MSH, PID, OBR, OBX alike).
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 })).map(([at, times]) => (b: Uint8Array) => {
    const segs = splitSegments(b);
    const i = at % Math.max(segs.length, 1);
    segs.splice(i, 0, ...Array<string>(times).fill(segs[i] ?? ''));
    return fromLatin1(segs.join(''));
  }),
  // Delimiter swaps: one delimiter replaced by another everywhere, or the MSH-2 characters shuffled.
  fc
    .tuple(
      fc.constantFrom('|', '^', '~', '\\', '&', '\r', '\n'),
      fc.constantFrom('|', '^', '~', '\\', '&', '\r', '\n', '', '#', ' '),
    )
    .map(
      ([from, to]) =>
        (b: Uint8Array) =>
          fromLatin1(latin1(b).split(from).join(to)),
    ),
  fc
    .shuffledSubarray(['^', '~', '\\', '&'], { minLength: 4, maxLength: 4 })
    .map((chars) => (b: Uint8Array) => fromLatin1(latin1(b).replace('MSH|^~\\&', `MSH|${chars.join('')}`))),
  // Random unicode inserted (as UTF-8) at a random place.
  fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 40 })).map(([at, text]) => (b: Uint8Array) => {
    const i = b.length === 0 ? 0 : at % b.length;
    const insert = encoder.encode(text);
    const out = new Uint8Array(b.length + insert.length);
    out.set(b.subarray(0, i));
    out.set(insert, i);
    out.set(b.subarray(i), i + insert.length);
    return out;
  }),
  // A huge field (the size limit itself is exercised by the OVERSIZED fixtures).
  fc
    .tuple(fc.nat(), fc.integer({ min: 1000, max: 20000 }), fc.constantFrom('A', '\\', '^', '~', 'é'))
    .map(([at, size, ch]) => (b: Uint8Array) => {
      const s = latin1(b);
      const bars = [...s.matchAll(/\|/g)].map((m) => m.index);
      const i = bars.length === 0 ? s.length : (bars[at % bars.length] ?? 0) + 1;
      return fromLatin1(s.slice(0, i) + ch.repeat(size) + s.slice(i));
    }),
  // Escape sequences broken or invented.
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('\\', '\\X', '\\XZZ\\', '\\.sp 999999\\', '\\Z\\', '\\C2842\\', '\\.br', '\\H\\\\N\\'),
    )
    .map(([at, junk]) => (b: Uint8Array) => {
      const s = latin1(b);
      const i = s.length === 0 ? 0 : at % s.length;
      return fromLatin1(s.slice(0, i) + junk + s.slice(i));
    }),
);

const input = fc
  .tuple(fc.integer({ min: 0, max: corpus.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([i, ms]) => ms.reduce<Uint8Array>((b, m) => m(b), corpus[i]!));

function assertTyped(result: OruReadResult): void {
  if (result.ok) {
    expect(result.reports.length).toBeGreaterThan(0);
    expect(result.report).toBe(result.reports[0]);
    for (const report of result.reports) {
      if (!validate(report)) throw new Error(`report fails the schema: ${JSON.stringify(validate.errors)}`);
    }
  } else {
    expect(result.error).toBeInstanceOf(InboundMessageError);
    expect(INBOUND_ERROR_CODES).toContain(result.error.code);
    expect(result.error.reason.length).toBeGreaterThan(0);
    expect(['AE', 'AR']).toContain(ackCodeOf(result.error.code));
  }
}

describe('HL7 v2 reader under mutation (fuzz)', () => {
  it(`never throws and always gives a schema-valid report or a typed error (${RUNS} seeded cases)`, () => {
    const outcomes = new Map<string, number>();
    const count = (key: string): void => void outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    fc.assert(
      fc.property(input, (bytes) => {
        const direct = readOruR01(bytes, options);
        count(direct.ok ? 'reports' : direct.error.code);
        assertTyped(direct);
        const feed = readHl7Messages(bytes, options);
        for (const message of feed.messages) assertTyped(message.result);
        for (const issue of feed.issues) expect(INBOUND_ERROR_CODES).toContain(issue.error.code);
        const ack = buildAck(bytes, 'AE', new InboundMessageError('TRUNCATED', 'fuzz'));
        expect(ack.startsWith('MSH')).toBe(true);
        expect(
          ack
            .split('\r')
            .filter((s) => s !== '')
            .map((s) => s.slice(0, 3)),
        ).toEqual(['MSH', 'MSA', 'ERR']);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.info('HL7 fuzz outcomes', Object.fromEntries(outcomes));
    // The mutations must reach deep into the reader, not only bounce off the MSH checks.
    expect(outcomes.get('reports') ?? 0).toBeGreaterThan(RUNS / 5);
    expect([...outcomes.keys()]).toEqual(
      expect.arrayContaining([
        'NOT_HL7',
        'TRUNCATED',
        'BAD_ENCODING_CHARACTERS',
        'WRONG_MESSAGE_TYPE',
        'MISSING_SEGMENT',
        'MISSING_FIELD',
        'OVERSIZED',
      ]),
    );
  }, 60_000);

  it('deframes any chunking of mutated MLLP streams without losing bytes (500 seeded cases)', () => {
    fc.assert(
      fc.property(
        fc.array(input, { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30 }),
        (messages, cuts) => {
          const stream = new Uint8Array(
            messages.flatMap((m) => [...frameMllp(m.filter((b) => b !== 0x0b && b !== 0x1c))]),
          );
          const deframer = new MllpDeframer({ maxMessageBytes: 1 << 20 });
          const events = [];
          let at = 0;
          for (let k = 0; at < stream.length; k++) {
            const size = cuts[k % cuts.length]!;
            events.push(...deframer.push(stream.subarray(at, at + size)));
            at += size;
          }
          events.push(...deframer.end());
          expect(events.every((e) => e.kind === 'message')).toBe(true);
          expect(events.length).toBe(messages.length);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  }, 30_000);
});
