// Summarizes a V8 .cpuprofile (from `node --cpu-prof`, e.g. startCollector({ nodeArgs: ['--cpu-prof'] })): self time
// by function, largest first, as a share of all samples and of busy ones ((idle) left out: a collector waiting for
// its clients or the disk). Usage: node bench/tools/cpuprofile-top.mjs FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const timeOf = new Map();
profile.samples.forEach((id, i) => timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const self = new Map();
let total = 0;
for (const { id, callFrame: cf } of profile.nodes) {
  const t = timeOf.get(id) ?? 0;
  const key = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + t);
  total += t;
}
const idle = [...self].filter(([key]) => key.startsWith('(idle)')).reduce((s, [, t]) => s + t, 0);
const busy = total - idle;
const pct = (t, of) => ((100 * t) / of).toFixed(1).padStart(5) + ' %';
console.log('  self ms    all   busy  function');
for (const [key, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 30))) {
  console.log(
    `${(t / 1000).toFixed(0).padStart(7)} ${pct(t, total)} ${key.startsWith('(idle)') ? '       ' : pct(t, busy)}  ${key}`,
  );
}
console.log(`total ${(total / 1000).toFixed(0)} ms, busy ${(busy / 1000).toFixed(0)} ms`);
