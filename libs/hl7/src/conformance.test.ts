/**
 * Every HL7 v2 message radflow builds (the outbound ORU^R01 in each variant, the ACK/NAK the gateway answers each
 * fixture message with, in every version and error kind) is read by two HL7 v2 libraries independent of radflow:
 * hl7apy 1.3.5 in STRICT validation mode (Python) and HAPI HL7v2 2.5.1 (Java), each with its own model of the
 * standard. They must report nothing beyond the documented deviations, and every field must sit where the test
 * expects it, by position, as each parser read it. Deliberately broken copies (a shifted MSH, no PID-5, OBX-2 = CWE,
 * an ACK in version 3.0) prove the check fails on exactly those faults.
 *
 * Needs /usr/bin/python3 with hl7apy and Java 17 with the HAPI jars in .cache/hapi/libs: `infra/run setup` (or
 * `bash libs/hl7/conformance/setup.sh`) installs both. The messages hold synthetic patients only; they are written
 * to a temporary folder that is removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACK_TIME, builtAcks, builtOrus, type BuiltAck, type BuiltOru } from './conformance.testing.ts';
import { readDelimiters, STANDARD_DELIMITERS, type Delimiters } from './delimiters.ts';
import { ackCodeOf, errorConditionOf } from './inbound-error-ack.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const PYTHON = '/usr/bin/python3';
const HL7APY_CHECK = join(root, 'libs/hl7/conformance/hl7apy_check.py');
const HAPI_CHECK = join(root, 'libs/hl7/conformance/hapi/HapiCheck.java');
const HAPI_JARS = join(root, '.cache/hapi/libs');
const SETUP_HINT = 'run `bash libs/hl7/conformance/setup.sh` (part of `infra/run setup`)';

interface ParsedField {
  er7: string;
  components: string[];
}
interface ParsedSegment {
  name: string;
  path: string;
  fields: Record<string, ParsedField[]>;
}
interface ParsedMessage {
  errors: string[];
  warnings: string[];
  structure: string | null;
  segments: ParsedSegment[];
}
type ParserName = 'hl7apy' | 'hapi';
const PARSERS: ParserName[] = ['hl7apy', 'hapi'];

/**
 * Findings that are not faults of the message, each with why:
 * - hl7apy compares HL7 table 0396 (coding systems) literally, but the table defines two patterns: 99zzz for local
 *   systems (radflow's 99RFA, 99RFD, 99RFM, 99RFO, 99RFP, 99RFS) and HL7nnnn for HL7 tables (HL70357 in ERR-3).
 * - OBX-18 (equipment instance, EI) is limited to 22 characters in v2.5.1; radflow writes
 *   `<model>@<version>^RADFLOW`, longer for any real model name, which HAPI reports as a length warning (a receiver
 *   may truncate OBX-18; OBX-17 carries the same identity in a field of 250). See libs/hl7/README.md.
 */
function isAllowed(parser: ParserName, finding: string): boolean {
  if (parser === 'hl7apy') {
    return /^Value (99[A-Z0-9]{1,3}|HL7\d{4}) not in table HL70396 in element [A-Z0-9_]+\.[A-Z]{2,3}_3$/.test(
      finding,
    );
  }
  return /^length: OBX-18 is \d+ long, at most 22$/.test(finding);
}

function findings(parser: ParserName, message: ParsedMessage): string[] {
  return [
    ...message.errors.map((e) => `error: ${e}`),
    ...message.warnings.filter((w) => !isAllowed(parser, w)).map((w) => `warning: ${w}`),
  ];
}

/** Both parsers' results for every file in a folder. */
function runParsers(dir: string): Record<ParserName, Record<string, ParsedMessage>> {
  if (!existsSync(HAPI_JARS)) throw new Error(`HAPI jars missing in ${HAPI_JARS}: ${SETUP_HINT}`);
  const run = (command: string, args: string[]) => {
    try {
      return JSON.parse(
        execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: 'pipe' }),
      ) as Record<string, ParsedMessage>;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new Error(`${command} failed (${SETUP_HINT}):\n${stderr.slice(-2000)}`, { cause: error });
    }
  };
  return {
    hl7apy: run(PYTHON, [HL7APY_CHECK, dir]),
    hapi: run('java', ['-cp', `${HAPI_JARS}/*`, HAPI_CHECK, dir]),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What each field must be, stated here from the inputs (not from the builders' code).

type Expected = Record<number, string | RegExp>;

/** The message's fields by position as a parser read it: every repetition in ER7, non-empty fields only. */
function fieldsOf(segment: ParsedSegment, repetition: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [n, reps] of Object.entries(segment.fields)) {
    const er7 = reps.map((r) => r.er7).join(repetition);
    if (er7 !== '') out[Number(n)] = er7;
  }
  return out;
}

/** Problems when the fields differ from the expected ones in any position (missing, extra or different). */
function compareFields(label: string, actual: Record<number, string>, expected: Expected): string[] {
  const problems: string[] = [];
  const positions = new Set([...Object.keys(actual), ...Object.keys(expected)].map(Number));
  for (const n of [...positions].sort((a, b) => a - b)) {
    const want = expected[n];
    const got = actual[n];
    const ok =
      want === undefined
        ? got === undefined
        : got !== undefined && (typeof want === 'string' ? got === want : want.test(got));
    if (!ok) problems.push(`${label}-${n}: expected ${String(want ?? '(empty)')}, read ${got ?? '(empty)'}`);
  }
  return problems;
}

/** Group path without the message's own name, the same for both parsers: "PATIENT_RESULT/PATIENT/PID". */
function groupPath(segment: ParsedSegment, structure: string): string {
  return segment.path
    .split('/')
    .filter((part, i) => !(i === 0 && part === structure))
    .map((part) => part.replace(new RegExp(`^${structure}_`), ''))
    .join('/');
}

/** HL7 escaping with a message's delimiters (the standard rule, restated for the expectations). */
function esc(value: string, d: Delimiters = STANDARD_DELIMITERS): string {
  let out = '';
  for (const ch of value) {
    if (ch === d.escape) out += `${d.escape}E${d.escape}`;
    else if (ch === d.field) out += `${d.escape}F${d.escape}`;
    else if (ch === d.component) out += `${d.escape}S${d.escape}`;
    else if (ch === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (ch === d.repetition) out += `${d.escape}R${d.escape}`;
    else out += ch;
  }
  return out;
}

const dtm = (iso: string | undefined): string | undefined =>
  iso === undefined
    ? undefined
    : new Date(iso)
        .toISOString()
        .replace(/\.\d{3}Z$/, '+0000')
        .replace(/[-:T]/g, '');
const hl7Join = (...components: (string | undefined)[]): string => {
  const parts = components.map((c) => c ?? '');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.join('^');
};
const defined = (fields: Record<number, string | RegExp | undefined>): Expected =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '')) as Expected;

interface ExpectedSegment {
  name: string;
  path: string;
  fields: Expected;
}

/** The ORU^R01 radflow must write for an enrichment, segment by segment, field by field. */
function expectedOru(input: ReportEnrichedPayload): ExpectedSegment[] {
  const { report, enrichment } = input;
  const model = `${enrichment.model.name}@${enrichment.model.version}`;
  const method = hl7Join(esc(model), esc(`${enrichment.model.name} ${enrichment.model.version}`), '99RFM');
  const equipment = hl7Join(esc(model), 'RADFLOW');
  const observed = dtm(report.observedAt);
  const analysed = dtm(enrichment.generatedAt);

  const id = report.patient.identifier;
  const cx = !id
    ? `${report.patient.key}^^^RADFLOW-PATIENT-KEY`
    : id.system?.startsWith('urn:oid:')
      ? `${esc(id.value)}^^^&${id.system.slice(8)}&ISO`
      : id.system && /^[a-z][a-z0-9+.-]*:/i.test(id.system)
        ? `${esc(id.value)}^^^&${esc(id.system)}&URI`
        : id.system
          ? `${esc(id.value)}^^^${esc(id.system)}`
          : esc(id.value);
  const name = report.patient.name;
  const given = name?.given ?? [];
  const xpn =
    hl7Join(
      esc(name?.family ?? ''),
      esc(given[0] ?? ''),
      esc(given.slice(1).join(' ')),
      esc(name?.suffix ?? ''),
      esc(name?.prefix ?? ''),
    ) || '""';

  const system = report.procedure.system;
  const v2System = system === 'http://loinc.org' ? 'LN' : system === undefined ? undefined : esc(system);
  const usi = report.procedure.code
    ? hl7Join(esc(report.procedure.code), esc(report.procedure.text ?? ''), v2System)
    : hl7Join('18748-4', esc(report.procedure.text ?? 'Diagnostic imaging study'), 'LN');

  const segments: ExpectedSegment[] = [
    {
      name: 'MSH',
      path: 'MSH',
      fields: defined({
        1: '|',
        2: '^~\\&',
        3: 'RADFLOW',
        4: 'RADFLOW',
        5: report.source.sendingApplication,
        6: report.source.sendingFacility,
        7: analysed,
        9: 'ORU^R01^ORU_R01',
        10: /^RF[0-9a-f]{18}$/,
        11: 'P',
        12: '2.5.1',
        15: 'NE',
        16: 'NE',
        18: 'UNICODE UTF-8',
      }),
    },
    { name: 'PID', path: 'PATIENT_RESULT/PATIENT/PID', fields: { 1: '1', 3: cx, 5: xpn } },
    {
      name: 'OBR',
      path: 'PATIENT_RESULT/ORDER_OBSERVATION/OBR',
      fields: defined({
        1: '1',
        3: esc(report.source.kind === 'hl7v2' ? report.reportId : report.accession),
        4: usi,
        7: observed,
        18: esc(report.accession),
        22: analysed,
        24: 'RAD',
        25: 'P',
      }),
    },
  ];
  const notes = [
    `Preliminary AI-generated results from ${enrichment.model.name} ${enrichment.model.version}; not reviewed by a radiologist.`,
    ...(enrichment.degraded
      ? ['The model was unavailable: rule-based labels only (degraded), no draft impression.']
      : []),
    ...(!enrichment.degraded && enrichment.draftImpressionEdits?.length
      ? [
          `Draft impression checked against the findings by ${enrichment.rulesVersion}: ` +
            enrichment.draftImpressionEdits
              .map((e) =>
                e.kind === 'critical-finding-added'
                  ? `added from the findings: ${e.reason}`
                  : `removed, not supported by the findings: ${e.label}`,
              )
              .join('; ') +
            '.',
        ]
      : []),
  ];
  notes.forEach((note, i) =>
    segments.push({
      name: 'NTE',
      path: 'PATIENT_RESULT/ORDER_OBSERVATION/NTE',
      fields: { 1: String(i + 1), 2: 'L', 3: esc(note) },
    }),
  );

  const obx: Array<[string, string, string | undefined, string, string | undefined]> = [];
  const lines = enrichment.degraded ? [] : (enrichment.draftImpression ?? '').split('\n');
  for (const line of lines.filter((l) => l.trim() !== ''))
    obx.push([
      'TX',
      'draft-impression^AI draft impression^99RFO^19005-8^Radiology Imaging study [Impression] (narrative)^LN',
      '1',
      esc(line.trimEnd()),
      undefined,
    ]);
  const states = {
    present: 'present^Present^99RFS^52101004^Present^SCT',
    uncertain: 'uncertain^Uncertain^99RFS^42425007^Equivocal^SCT',
  };
  for (const [labels, system] of [
    [enrichment.abnormalities, '99RFA'],
    [enrichment.devices, '99RFD'],
  ] as const) {
    for (const label of labels) {
      if (label.state === 'absent') continue;
      const flag = system === '99RFA' && label.state === 'present' ? 'A' : undefined;
      obx.push([
        'CE',
        hl7Join(esc(label.label), esc(label.label), system),
        undefined,
        states[label.state],
        flag,
      ]);
    }
  }
  const { level, reasons } = enrichment.priority;
  obx.push([
    'CE',
    'worklist-priority^Worklist priority^99RFO',
    undefined,
    `${level}^${level.toUpperCase()}^99RFP`,
    undefined,
  ]);
  obx.forEach(([type, observation, subId, value, flag], i) =>
    segments.push({
      name: 'OBX',
      path: 'PATIENT_RESULT/ORDER_OBSERVATION/OBSERVATION/OBX',
      fields: defined({
        1: String(i + 1),
        2: type,
        3: observation,
        4: subId,
        5: value,
        8: flag,
        11: 'P',
        14: observed,
        17: method,
        18: equipment,
        19: analysed,
      }),
    }),
  );
  reasons.forEach((reason, i) =>
    segments.push({
      name: 'NTE',
      path: 'PATIENT_RESULT/ORDER_OBSERVATION/OBSERVATION/NTE',
      fields: { 1: String(i + 1), 2: 'L', 3: esc(reason) },
    }),
  );
  return segments;
}

/** HL7 versions an ACK may be in (the original's), else 2.5.1 (libs/hl7/README.md). */
const ACK_VERSIONS = ['2.2', '2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.8', '2.8.1'];
const atLeast = (version: string, min: string) => {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
};

/** The ACK the gateway must answer `ack.original` with. */
function expectedAck(ack: BuiltAck): { delimiters: Delimiters; segments: ExpectedSegment[] } {
  const text = new TextDecoder('latin1')
    .decode(ack.original.subarray(0, 4096))
    // eslint-disable-next-line no-control-regex -- MLLP start block
    .replace(/^[\s\u000b\ufeff]+/, '');
  const read = text.startsWith('MSH') ? readDelimiters(text) : undefined;
  const d = read && 'field' in read ? read : undefined;
  const delimiters = d ?? STANDARD_DELIMITERS;
  const msh = d ? [d.field, ...(text.split(/[\r\n]/, 1)[0] ?? '').split(d.field).slice(1)] : [];
  const f = (n: number) => (msh[n - 1] ?? '').split(delimiters.repetition)[0] ?? '';
  const c = (n: number, k: number) => (f(n).split(delimiters.component)[k - 1] ?? '').trim();

  const version = ACK_VERSIONS.includes(c(12, 1)) ? c(12, 1) : '2.5.1';
  const trigger = c(9, 2);
  const cs = delimiters.component;
  const code = ack.kind === 'accepted' ? 'AA' : ack.kind === 'refused' ? ackCodeOf(ack.error!.code) : 'AR';
  const controlId = f(10).trim();
  const segments: ExpectedSegment[] = [
    {
      name: 'MSH',
      path: 'MSH',
      fields: defined({
        1: delimiters.field,
        2: `${cs}${delimiters.repetition}${delimiters.escape}${delimiters.subcomponent}`,
        3: f(5) || 'RADFLOW',
        4: f(6) || 'RADFLOW',
        5: f(3),
        6: f(4),
        7: dtm(ACK_TIME.toISOString()),
        9: atLeast(version, '2.4')
          ? ['ACK', trigger, 'ACK'].join(cs)
          : trigger
            ? ['ACK', trigger].join(cs)
            : 'ACK',
        10: /^ACK[A-Za-z0-9]+$/,
        11: f(11) || 'P',
        12: version,
      }),
    },
    {
      name: 'MSA',
      path: 'MSA',
      fields: defined({
        1: code,
        2: controlId || '""',
        3: ack.error && !atLeast(version, '2.7') ? esc(ack.error.reason.slice(0, 80), delimiters) : undefined,
      }),
    },
  ];
  const error = ack.error;
  if (error) {
    const condition = errorConditionOf(error.code);
    const m = error.location
      ? /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?(?: \1)?(?:-(\d+))?$/.exec(error.location)
      : null;
    const location = m ? [m[1], m[2] ?? '1', m[3]] : [];
    const fields: Expected = atLeast(version, '2.5')
      ? defined({
          2: location[0] ? hl7Join(...location).replace(/\^/g, cs) : undefined,
          3: [condition.code, esc(condition.text, delimiters), 'HL70357'].join(cs),
          4: 'E',
          7: esc(error.code, delimiters),
          8: esc(error.reason, delimiters),
        })
      : {
          1: [
            location[0] ?? '',
            location[1] ?? '',
            location[2] ?? '',
            [condition.code, esc(condition.text, delimiters), 'HL70357'].join(delimiters.subcomponent),
          ].join(cs),
        };
    segments.push({ name: 'ERR', path: 'ERR', fields });
  }
  return { delimiters, segments };
}

/** Everything wrong with one parser's reading of a message against what it must be. */
function problems(
  parser: ParserName,
  parsed: ParsedMessage | undefined,
  structure: string,
  expected: ExpectedSegment[],
  repetition = '~',
): string[] {
  if (!parsed) return [`${parser}: no result`];
  const out = findings(parser, parsed).map((f) => `${parser} ${f}`);
  if (parsed.structure !== structure)
    out.push(`${parser}: structure ${parsed.structure}, expected ${structure}`);
  const got = parsed.segments;
  if (got.length !== expected.length)
    out.push(`${parser}: ${got.length} segments, expected ${expected.length}`);
  expected.forEach((want, i) => {
    const segment = got[i];
    if (!segment) return;
    const label = `${parser} ${want.name}#${i + 1}`;
    if (segment.name !== want.name) out.push(`${label}: is ${segment.name}`);
    const path = groupPath(segment, structure);
    if (path !== want.path) out.push(`${label}: placed in ${path}, expected ${want.path}`);
    out.push(...compareFields(`${label} ${want.name}`, fieldsOf(segment, repetition), want.fields));
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

/** Copies of good messages with exactly the faults the independent parsers found before (issue 13). */
function mutants(orus: BuiltOru[], acks: BuiltAck[]) {
  const oru = orus.find((m) => m.name === 'oru-full')!;
  const version = acks.find((a) => a.name === 'nak-error-unsupported-version')!;
  const change = (text: string, from: RegExp, to: string) => {
    const out = text.replace(from, to);
    if (out === text) throw new Error(`mutant: ${String(from)} not found`);
    return out;
  };
  return {
    oru,
    version,
    list: [
      // The old MSH: one empty field too many before NE, so NE lands in MSH-16/17 and the charset in MSH-19.
      { name: 'mutant-msh-shift', of: 'oru', text: change(oru.text, /\|\|\|NE\|NE\|/, '||||NE|NE|') },
      {
        name: 'mutant-no-pid5',
        of: 'oru',
        text: change(oru.text, /^(PID\|[^|]*\|[^|]*\|[^|]*)\|[^\r]*/m, '$1'),
      },
      { name: 'mutant-obx2-cwe', of: 'oru', text: change(oru.text, /^(OBX\|\d+\|)CE\|/m, '$1CWE|') },
      { name: 'mutant-ack-3.0', of: 'ack', text: change(version.text, /\|2\.5\.1\r/, '|3.0\r') },
    ],
  };
}

describe('HL7 v2 conformance of every message radflow builds (hl7apy strict, HAPI HL7v2)', () => {
  const orus = builtOrus();
  const acks = builtAcks();
  const broken = mutants(orus, acks);
  let dir = '';
  let results: Record<ParserName, Record<string, ParsedMessage>>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'radflow-hl7-conformance-'));
    for (const m of [...orus, ...acks, ...broken.list]) writeFileSync(join(dir, `${m.name}.hl7`), m.text);
    results = runParsers(dir);
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds every kind of message: each ORU variant, AA, AE and AR in each version and error kind', () => {
    expect(orus.map((m) => m.name)).toEqual([
      'oru-full',
      'oru-degraded',
      'oru-draft-checked',
      'oru-patient-key-only',
      'oru-from-fhir',
      'oru-escapes',
    ]);
    const kinds = new Set(acks.map((a) => a.kind));
    expect(kinds).toEqual(new Set(['accepted', 'refused', 'broker-down', 'dead-letter-failed']));
    const codes = new Set(acks.flatMap((a) => (a.error ? [a.error.code] : [])));
    expect(codes).toEqual(
      new Set([
        'NOT_HL7',
        'WRONG_MESSAGE_TYPE',
        'UNSUPPORTED_VERSION',
        'MISSING_SEGMENT',
        'BAD_ENCODING_CHARACTERS',
        'TRUNCATED',
        'OVERSIZED',
        'UNKNOWN_CHARSET',
        'MISSING_FIELD',
      ]),
    );
    const versions = new Set(acks.map((a) => (a.text.split('\r', 1)[0] ?? '').split(a.text[3] ?? '|')[11]));
    expect([...versions].sort()).toEqual([...ACK_VERSIONS].sort());
  });

  describe.each(PARSERS)('%s', (parser) => {
    it.each(orus.map((m) => [m.name, m] as const))('reads %s with every field in place', (_, oru) => {
      expect(problems(parser, results[parser][`${oru.name}.hl7`], 'ORU_R01', expectedOru(oru.input))).toEqual(
        [],
      );
    });

    it('reads every ACK and NAK with every field in place', () => {
      const wrong = acks.flatMap((ack) => {
        const { delimiters, segments } = expectedAck(ack);
        return problems(
          parser,
          results[parser][`${ack.name}.hl7`],
          'ACK',
          segments,
          delimiters.repetition,
        ).map((p) => `${ack.name}: ${p}`);
      });
      expect(wrong).toEqual([]);
    });
  });

  it('answers a message in version 3.0 in v2.5.1, with AR and the HL7 error 203', () => {
    for (const parser of PARSERS) {
      const parsed = results[parser]['nak-error-unsupported-version.hl7']!;
      const [msh, msa, err] = parsed.segments.map((s) => fieldsOf(s, '~'));
      expect(msh![12]).toBe('2.5.1');
      expect(msa![1]).toBe('AR');
      expect(msa![2]).toBe('MSG100088');
      expect(err![3]).toBe('203^Unsupported version id^HL70357');
    }
  });

  it('fails on each fault the parsers found before: shifted MSH, no PID-5, OBX-2 CWE, ACK in 3.0', () => {
    const oruExpected = expectedOru(broken.oru.input);
    const ackExpected = expectedAck(broken.version).segments;
    for (const mutant of broken.list) {
      for (const parser of PARSERS) {
        const found =
          mutant.of === 'oru'
            ? problems(parser, results[parser][`${mutant.name}.hl7`], 'ORU_R01', oruExpected)
            : problems(parser, results[parser][`${mutant.name}.hl7`], 'ACK', ackExpected);
        expect(found, `${parser} must reject ${mutant.name}`).not.toEqual([]);
      }
    }
    // The parsers themselves, not only the position checks, object to the faults:
    const own = (name: string, parser: ParserName) => findings(parser, results[parser][`${name}.hl7`]!);
    expect(own('mutant-msh-shift', 'hl7apy')).toContain(
      'warning: Value NE not in table HL70399 in element MSH.MSH_17',
    );
    expect(own('mutant-no-pid5', 'hl7apy')).toContain('error: Missing required child PID.PID_5');
    expect(own('mutant-no-pid5', 'hapi')).toContain('error: required: PID-5 is empty');
    expect(own('mutant-obx2-cwe', 'hl7apy')).toContain(
      'warning: Value CWE not in table HL70125 in element OBX.OBX_2',
    );
    expect(own('mutant-obx2-cwe', 'hapi')).toContain('warning: length: OBX-2 is 3 long, at most 2');
    expect(own('mutant-ack-3.0', 'hl7apy')).toEqual([
      'error: parse: UnsupportedVersion: The version 3.0 is not supported',
    ]);
    expect(own('mutant-ack-3.0', 'hapi')).toEqual([
      'error: parse: HL7Exception: The HL7 version 3.0 is not recognized',
    ]);
  });
});
