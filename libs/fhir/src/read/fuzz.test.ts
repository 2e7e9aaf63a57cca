import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { createSchemaAjv, eventSchemas } from '@radflow/schemas';
import { INBOUND_ERROR_CODES, InboundMessageError } from '@radflow/reports';
import { describe, expect, it } from 'vitest';
import { readDiagnosticReportEvent } from './diagnostic-report-reader.ts';

// Seeded so a failure reproduces; raise FUZZ_RUNS locally for a longer search.
const SEED = 20240502;
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);

const dir = new URL('../../../../test/fixtures/fhir/', import.meta.url);
const corpus = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
  .sort()
  .map((f) => readFileSync(new URL(f, dir), 'utf8'));
const parsedCorpus = corpus.map((text) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
});
const validate = createSchemaAjv().getSchema(eventSchemas['radiology-report.v1']!.$id)!;
const options = { maxBytes: 262144, patientKeySalt: 'fuzz-salt' };

type Path = Array<string | number>;

function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function setAt(root: unknown, path: Path, replace: (old: unknown) => unknown): unknown {
  if (path.length === 0) return replace(root);
  const [head, ...rest] = path;
  const container = structuredClone(root) as Record<string | number, unknown>;
  container[head as string] = setAt(container[head as string], rest, replace);
  return container;
}

/** Structure-aware mutations: the JSON stays valid, the FHIR does not have to. */
const structural = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({ kind: fc.constant('delete' as const) }),
  fc.record({
    kind: fc.constant('wrong-type' as const),
    value: fc.constantFrom<unknown>(null, 0, -1, true, '', 'x', [], {}, [{}], '#', 'urn:uuid:'),
  }),
  fc.record({ kind: fc.constant('unicode' as const), value: fc.string({ unit: 'binary', maxLength: 60 }) }),
  fc.record({ kind: fc.constant('huge' as const), value: fc.integer({ min: 1000, max: 100000 }) }),
  fc.record({ kind: fc.constant('duplicate' as const) }),
);

const structuralInput = fc
  .tuple(
    fc.integer({ min: 0, max: parsedCorpus.length - 1 }),
    fc.array(fc.tuple(fc.nat(), structural), { minLength: 1, maxLength: 4 }),
  )
  .map(([i, ops]) => {
    let doc = parsedCorpus[i];
    for (const [seed, op] of ops) {
      const all = paths(doc);
      const path = all[seed % all.length]!;
      doc = setAt(doc, path, (old) => {
        switch (op.kind) {
          case 'replace':
          case 'wrong-type':
            return op.value;
          case 'delete':
            return undefined;
          case 'unicode':
            return typeof old === 'string' ? old + op.value : op.value;
          case 'huge':
            return 'A'.repeat(op.value);
          case 'duplicate':
            return Array.isArray(old) ? [...old, ...old] : [old, old];
        }
      });
    }
    return JSON.stringify(doc) ?? 'null';
  });

/** Byte-level mutations: flips and truncation of the serialized JSON. */
const byteInput = fc
  .tuple(
    fc.integer({ min: 0, max: corpus.length - 1 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.option(fc.nat()),
  )
  .map(([i, flips, cut]) => {
    const bytes = new Uint8Array(Buffer.from(corpus[i]!, 'utf8'));
    for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value;
    return cut === null || bytes.length === 0 ? bytes : bytes.subarray(0, cut % bytes.length);
  });

describe('FHIR DiagnosticReport reader under mutation (fuzz)', () => {
  it(`never throws and always gives schema-valid reports or a typed error (${RUNS} seeded cases)`, () => {
    const outcomes = new Map<string, number>();
    const count = (key: string): void => void outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    fc.assert(
      fc.property(
        fc.oneof({ weight: 3, arbitrary: structuralInput }, { weight: 1, arbitrary: byteInput }),
        (input) => {
          const result = readDiagnosticReportEvent(input, options);
          count(result.ok ? (result.reports.length > 0 ? 'reports' : 'no-report') : result.error.code);
          if (result.ok) {
            for (const report of result.reports) {
              if (!validate(report))
                throw new Error(`report fails the schema: ${JSON.stringify(validate.errors)}`);
            }
            expect(Array.isArray(result.unresolved)).toBe(true);
          } else {
            expect(result.error).toBeInstanceOf(InboundMessageError);
            expect(INBOUND_ERROR_CODES).toContain(result.error.code);
            expect(result.error.reason.length).toBeGreaterThan(0);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    console.info('FHIR fuzz outcomes', Object.fromEntries(outcomes));
    // The mutations must reach deep into the reader, not only bounce off JSON.parse.
    expect(outcomes.get('reports') ?? 0).toBeGreaterThan(RUNS / 4);
    expect([...outcomes.keys()]).toEqual(
      expect.arrayContaining(['INVALID_JSON', 'INVALID_FHIR', 'WRONG_RESOURCE_TYPE', 'MISSING_FIELD']),
    );
  }, 60_000);
});
