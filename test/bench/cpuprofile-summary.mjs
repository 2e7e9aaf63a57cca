// Where a process's CPU time went, from a V8 .cpuprofile (node --cpu-prof): self time by package or radflow folder,
// then the top functions. Usage: node test/bench/cpuprofile-summary.mjs <file.cpuprofile>
import console from 'node:console';
import { readFileSync } from 'node:fs';
import process from 'node:process';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas;
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const d = dt[i] ?? 0;
  total += d;
  self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + d);
}
const cat = (n) => {
  const u = n.callFrame.url || '';
  const f = n.callFrame.functionName;
  if (f === '(idle)') return 'idle (waiting on Kafka/PostgreSQL/sockets)';
  if (f === '(garbage collector)') return 'garbage collector';
  if (f === '(program)') return 'V8/native (program)';
  let m;
  if ((m = u.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/))) return 'npm ' + m[1];
  if ((m = u.match(/\/(libs|apps)\/([^/]+)\//))) return `${m[1]}/${m[2]}`;
  if (u.startsWith('node:')) return 'node core ' + u.split('/')[0];
  return u ? 'other ' + u.slice(-40) : 'native ' + f;
};
const agg = new Map();
const fn = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  const c = cat(n);
  agg.set(c, (agg.get(c) ?? 0) + t);
  const k = `${n.callFrame.functionName || '(anon)'} ${(n.callFrame.url || '').replace(/.*\/(node_modules|libs|apps)\//, '$1/')}:${n.callFrame.lineNumber}`;
  fn.set(k, (fn.get(k) ?? 0) + t);
}
const pct = (t) => ((100 * t) / total).toFixed(1).padStart(5) + '%';
console.log(`total sampled ${(total / 1e6).toFixed(1)} s`);
for (const [c, t] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 22)) console.log(pct(t), c);
console.log('--- top functions (self)');
for (const [c, t] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(pct(t), c);
