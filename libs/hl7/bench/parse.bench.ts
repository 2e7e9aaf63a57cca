/**
 * Messages per second for HL7 v2 ORU^R01 parsing on the fixture corpus, radflow against other npm parsers,
 * all in one run on the same messages. radflow does the full job (decode, checks, canonical report, sections,
 * patient key); the others parse and read the fields a report needs (MSH-10, PID-3, OBR-3, OBR-25, every OBX-5).
 * Run: npm run bench -w @radflow/hl7   Writes results/parse-bench.{json,html}.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { Hl7Message } from '@medplum/core';
import { Message } from 'node-hl7-client';
import { readOruR01, splitHl7Batch } from '../src/index.ts';

const require = createRequire(import.meta.url);
// Versions as pinned in this package's package.json (some packages do not export their package.json).
const pinned = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const version = (name: string): string => pinned.dependencies[name] ?? pinned.devDependencies[name] ?? '?';

interface Hl7StandardSegment {
  get(path: string): unknown;
}
interface Hl7Standard {
  transform(): void;
  get(path: string): unknown;
  getSegments(name: string): Hl7StandardSegment[];
}
interface SimpleSegment {
  getField(i: number): unknown;
  getComponent(f: number, c: number): unknown;
}
interface SimpleMessage {
  header: SimpleSegment;
  getSegment(name: string): SimpleSegment | undefined;
  getSegments(name: string): SimpleSegment[];
}
const HL7Standard = require('hl7-standard') as new (text: string) => Hl7Standard;
const SimpleHl7 = require('simple-hl7') as { Parser: new () => { parse(text: string): SimpleMessage } };

const fixtures = new URL('../../../test/fixtures/hl7/', import.meta.url);
const options = { maxBytes: 1 << 20, patientKeySalt: 'bench-salt' };

// The corpus: every message of the fixture files that radflow reads as a report, as text with \r separators.
const VT = String.fromCharCode(0x0b);
const FS = String.fromCharCode(0x1c);
const corpus: string[] = [];
for (const file of readdirSync(fixtures)
  .filter((f) => f.endsWith('.hl7'))
  .sort()) {
  for (const message of splitHl7Batch(new Uint8Array(readFileSync(new URL(file, fixtures)))).messages) {
    if (!readOruR01(message, options).ok) continue;
    const text = new TextDecoder('windows-1252').decode(message);
    // Strip the MLLP frame bytes of the framed fixture: the other parsers expect bare messages.
    const bare = text.startsWith(VT)
      ? text.slice(1, text.lastIndexOf(FS) > 0 ? text.lastIndexOf(FS) : undefined)
      : text;
    corpus.push(bare.replace(/\r\n|\n/g, '\r'));
  }
}
const bytes = corpus.map((m) => new TextEncoder().encode(m));

interface Contender {
  name: string;
  version: string;
  does: string;
  run: (i: number) => void;
}

let sink = 0;
const touch = (value: unknown): void => {
  sink += typeof value === 'string' ? value.length : value === undefined || value === null ? 0 : 1;
};

const contenders: Contender[] = [
  {
    name: 'radflow readOruR01',
    version: 'this repo (node-hl7-client 4.0.0 inside)',
    does: 'parse + canonical report',
    run: (i) => {
      const result = readOruR01(bytes[i]!, options);
      if (!result.ok) throw new Error(result.error.code);
      touch(result.report.text);
    },
  },
  {
    name: 'node-hl7-client',
    version: version('node-hl7-client'),
    does: 'parse + read fields',
    run: (i) => {
      const m = new Message({ text: corpus[i]! });
      touch(m.get('MSH.10').toString());
      touch(m.get('PID.3.1').toString());
      touch(m.get('OBR.3.1').toString());
      touch(m.get('OBR.25').toString());
      for (const obx of m.get('OBX') as Iterable<{ get(p: string): { toString(): string } }>)
        touch(obx.get('OBX.5').toString());
    },
  },
  {
    name: '@medplum/core Hl7Message',
    version: version('@medplum/core'),
    does: 'parse + read fields',
    run: (i) => {
      const m = Hl7Message.parse(corpus[i]!);
      touch(m.getSegment('MSH')?.getField(10)?.toString());
      touch(m.getSegment('PID')?.getField(3)?.getComponent(1));
      touch(m.getSegment('OBR')?.getField(3)?.getComponent(1));
      touch(m.getSegment('OBR')?.getField(25)?.toString());
      for (const obx of m.getAllSegments('OBX')) touch(obx.getField(5)?.toString());
    },
  },
  {
    name: 'hl7-standard',
    version: version('hl7-standard'),
    does: 'parse + read fields',
    run: (i) => {
      const m = new HL7Standard(corpus[i]!);
      m.transform();
      touch(m.get('MSH.10'));
      touch(m.get('PID.3.1'));
      touch(m.get('OBR.3.1'));
      touch(m.get('OBR.25'));
      for (const obx of m.getSegments('OBX')) touch(obx.get('OBX.5'));
    },
  },
  {
    name: 'simple-hl7',
    version: version('simple-hl7'),
    does: 'parse + read fields',
    run: (i) => {
      const m = new SimpleHl7.Parser().parse(corpus[i]!);
      touch(m.header.getField(8));
      touch(m.getSegment('PID')?.getComponent(3, 1));
      touch(m.getSegment('OBR')?.getComponent(3, 1));
      touch(m.getSegment('OBR')?.getField(25));
      for (const obx of m.getSegments('OBX')) touch(obx.getField(5));
    },
  },
];

interface Row {
  name: string;
  version: string;
  does: string;
  /** Best round. */
  messagesPerSecond: number;
  medianPerSecond: number;
  parsed: number;
  failed: number;
}

const MIN_MS = Number(process.env.BENCH_MS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
console.log(
  `corpus: ${corpus.length} ORU^R01 messages from test/fixtures/hl7 (${bytes.reduce((n, b) => n + b.length, 0)} bytes); ` +
    `${ROUNDS} interleaved rounds of ${Math.round(MIN_MS / ROUNDS)} ms per parser, best round reported (shared machine)`,
);
const prepared = contenders.map((c) => {
  let failed = 0;
  const usable: number[] = [];
  for (let i = 0; i < corpus.length; i++) {
    try {
      c.run(i);
      usable.push(i);
    } catch {
      failed++;
    }
  }
  for (let k = 0; k < 3; k++) for (const i of usable) c.run(i);
  return { c, usable, failed, rates: [] as number[] };
});
// Rounds interleave the parsers so that load from other processes hits them alike.
for (let round = 1; round <= ROUNDS; round++) {
  for (const p of prepared) {
    let done = 0;
    const start = performance.now();
    while (performance.now() - start < MIN_MS / ROUNDS) {
      for (const i of p.usable) p.c.run(i);
      done += p.usable.length;
    }
    p.rates.push(done / ((performance.now() - start) / 1000));
  }
  process.stdout.write(`\rround ${round}/${ROUNDS} ${'#'.repeat(round)}${'.'.repeat(ROUNDS - round)}`);
}
process.stdout.write('\n');
const rows: Row[] = prepared.map((p) => ({
  name: p.c.name,
  version: p.c.version,
  does: p.c.does,
  messagesPerSecond: Math.max(...p.rates),
  medianPerSecond: [...p.rates].sort((a, b) => a - b)[Math.floor(p.rates.length / 2)] ?? 0,
  parsed: p.usable.length,
  failed: p.failed,
}));

const baseline = rows[0]!;
console.log(
  '\nparser                      version    does                       best msg/s  median msg/s  vs radflow  failed',
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(27)} ${r.version.split(' ')[0]!.padEnd(10)} ${r.does.padEnd(26)} ${Math.round(r.messagesPerSecond).toString().padStart(10)}  ${Math.round(r.medianPerSecond).toString().padStart(12)}  ${(r.messagesPerSecond / baseline.messagesPerSecond).toFixed(2).padStart(9)}x  ${r.failed}/${corpus.length}`,
  );
}

const results = new URL('./results/', import.meta.url);
mkdirSync(results, { recursive: true });
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
  loadAverage: loadavg()
    .map((l) => l.toFixed(2))
    .join(' '),
  rounds: ROUNDS,
  corpus: corpus.length,
  minMsPerParser: MIN_MS,
};
writeFileSync(new URL('parse-bench.json', results), `${JSON.stringify({ meta, rows }, null, 2)}\n`);
writeFileSync(new URL('parse-bench.html', results), chart(rows, meta));
console.log(`\nwrote ${new URL('parse-bench.html', results).pathname}`);
if (sink < 0) console.log(sink);

function chart(data: Row[], info: typeof meta): string {
  const max = Math.max(...data.map((r) => r.messagesPerSecond));
  const barH = 34;
  const left = 230;
  const width = 520;
  const bars = data
    .map((r, i) => {
      const w = Math.max(2, (r.messagesPerSecond / max) * width);
      const y = 20 + i * (barH + 14);
      const colour = i === 0 ? '#2563eb' : '#94a3b8';
      return `<text x="${left - 10}" y="${y + 22}" text-anchor="end" font-size="14">${esc(r.name)}</text>
<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${colour}" rx="3"/>
<text x="${left + w + 8}" y="${y + 22}" font-size="13">${Math.round(r.messagesPerSecond).toLocaleString('en')} msg/s${r.failed ? ` (${r.failed} failed)` : ''}</text>`;
    })
    .join('\n');
  const height = 40 + data.length * (barH + 14);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HL7 v2 ORU^R01 parse benchmark</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#0f172a}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #e2e8f0;text-align:left}</style></head>
<body><h1>HL7 v2 ORU^R01: messages per second</h1>
<p>${info.corpus} messages from test/fixtures/hl7, ${info.node}, ${esc(info.cpu)}, load ${esc(info.loadAverage)}, best of ${info.rounds} interleaved rounds, ${esc(info.date)}. radflow does parse + canonical report; the others parse and read MSH-10, PID-3, OBR-3, OBR-25 and every OBX-5.</p>
<svg width="${left + width + 220}" height="${height}" role="img" aria-label="bar chart of messages per second">${bars}</svg>
<table><tr><th>parser</th><th>version</th><th>does</th><th>best msg/s</th><th>median msg/s</th><th>failed</th></tr>
${data.map((r) => `<tr><td>${esc(r.name)}</td><td>${esc(r.version)}</td><td>${esc(r.does)}</td><td>${Math.round(r.messagesPerSecond)}</td><td>${Math.round(r.medianPerSecond)}</td><td>${r.failed}/${info.corpus}</td></tr>`).join('\n')}
</table></body></html>
`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
