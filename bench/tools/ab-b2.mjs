// A/B of B2 (8 SDK clients, durable ingest) between this build and another one, alternating in the same run so a
// noisy moment on this shared machine hits both alike; also the CPU each side spent per event (collector process
// from /proc, SDK clients from this process), which noise moves much less than events/s.
//
//   node bench/tools/ab-b2.mjs --base /tmp/perf-base [--rounds 5] [--events 200000] [--clients 8]
//                              [--base-clients] [--prof DIR] [--node-args='--flag ...'] [--base-launcher-flags='...']
//
// `--base` is a tree holding another build (shared/, client-sdk/, electron/ dist folders and a node_modules whose
// @ic-audit/* point at them). The SDK clients are this tree's unless `--base-clients` (then each side uses its own).
// `--prof DIR` starts both collectors with --cpu-prof into DIR/base and DIR/new (summarize with cpuprofile-top.mjs).
// `--node-args` go to the new side's node only (e.g. `--base .` and a V8 flag: the flag's effect alone).
// `--base-launcher-flags` replaces the node flags the product's launchers give the base side's collector (an older
// build shipped other ones, e.g. `--base-launcher-flags=''` for one from before electron/src/app/node-flags.ts).
// `--gc-summary` runs both collectors with --trace-gc and prints each one's scavenge / mark-compact counts and time.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditNotifier } from '@ic-audit/client';
import { sdkIngest } from '../b2-ingest.mjs';
import { CLI, startCollector } from '../lib/collector.mjs';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    events: { type: 'string', default: '200000' },
    clients: { type: 'string', default: '8' },
    'base-clients': { type: 'boolean', default: false },
    prof: { type: 'string' },
    'node-args': { type: 'string', default: '' },
    'gc-summary': { type: 'boolean', default: false },
    'base-launcher-flags': { type: 'string' },
  },
});
if (!values.base) throw new Error('--base DIR is required');
const base = resolve(values.base);
const rounds = Number(values.rounds);
const events = Number(values.events);
const clients = Number(values.clients);
const baseNotifier = values['base-clients']
  ? (await import(join(base, 'client-sdk/dist/index.js'))).AuditNotifier
  : AuditNotifier;

/** utime + stime of a process, in microseconds (Linux /proc; clock ticks of 10 ms). */
function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}

const sides = [
  {
    name: 'base',
    cli: join(base, 'electron/dist/app/cli.js'),
    Notifier: baseNotifier,
    rates: [],
    collectorUs: [],
    clientUs: [],
  },
  { name: 'new', cli: CLI, Notifier: AuditNotifier, rates: [], collectorUs: [], clientUs: [] },
];
for (const s of sides) {
  const nodeArgs = values.prof ? ['--cpu-prof', '--cpu-prof-dir', join(values.prof, s.name)] : [];
  if (s.name === 'new') nodeArgs.push(...values['node-args'].split(' ').filter(Boolean));
  if (values['gc-summary']) nodeArgs.push('--trace-gc');
  const baseFlags = values['base-launcher-flags'];
  const launcherFlags =
    s.name === 'base' && baseFlags !== undefined ? { launcherFlags: baseFlags.split(' ').filter(Boolean) } : {};
  s.collector = await startCollector({ cli: s.cli, nodeArgs, ...launcherFlags });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  // Warm-up (JIT, page cache, one lap of the recent window's ring) for both.
  for (const s of sides) await sdkIngest(s.collector.ingestUrl, clients, 200_000, 120_000, {}, s.Notifier);
  for (let r = 0; r < rounds; r++) {
    for (const s of r % 2 === 0 ? sides : [...sides].reverse()) {
      const c0 = cpuMicros(s.collector.pid);
      const u0 = process.cpuUsage();
      const rate = await sdkIngest(s.collector.ingestUrl, clients, events, 120_000, {}, s.Notifier);
      const u = process.cpuUsage(u0);
      s.rates.push(rate);
      s.collectorUs.push((cpuMicros(s.collector.pid) - c0) / events);
      s.clientUs.push((u.user + u.system) / events);
      process.stderr.write(`round ${r + 1} ${s.name}: ${Math.round(rate).toLocaleString('en-US')} events/s\n`);
    }
  }
} finally {
  for (const s of sides) await s.collector.close();
}
for (const s of sides) {
  console.log(
    `${s.name.padEnd(5)} median ${Math.round(median(s.rates)).toLocaleString('en-US').padStart(8)} events/s ` +
      `[${s.rates.map((x) => Math.round(x / 1000) + 'k').join(' ')}]  ` +
      `collector CPU ${(median(s.collectorUs) * 1000).toFixed(0)} ns/event, ` +
      `clients CPU ${(median(s.clientUs) * 1000).toFixed(0)} ns/event`,
  );
}
if (values['gc-summary']) {
  for (const s of sides) {
    const kinds = {};
    for (const m of s.collector.output().matchAll(/ ms: (\w[\w-]*) [^,]*?, ([\d.]+) \/ [\d.]+ ms/g)) {
      const k = (kinds[m[1]] ??= { count: 0, ms: 0 });
      k.count++;
      k.ms += Number(m[2]);
    }
    const list = Object.entries(kinds).map(([k, v]) => `${k} ${v.count}x ${v.ms.toFixed(0)} ms`);
    console.log(`${s.name.padEnd(5)} GC over the whole run: ${list.join(', ')}`);
  }
}
const [b, n] = sides;
console.log(`new / base: ${(median(n.rates) / median(b.rates)).toFixed(2)}x events/s (medians of ${rounds} rounds)`);
