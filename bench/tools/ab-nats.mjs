// B2-NATS's configurations (8 SDK clients, durable ingest; local journal, NATS R1, R3 on a throwaway 3-node cluster)
// in alternating rounds, with the CPU each process spent per event: the collector (its main thread apart, from
// /proc), the nats-servers together, and the SDK clients (this process). On a 2-core machine the modes are CPU-bound
// alike, so those costs explain a ratio better than one run's events/s.
//
//   node bench/tools/ab-nats.mjs [--rounds 6] [--events 200000] [--configs local,R1,R3] [--base DIR]
//                                [--node-args='--cpu-prof --cpu-prof-dir=/tmp/prof']
//
// `--base DIR` adds R1 with another build's collector (DIR as in ab-b2.mjs). `--node-args` go to every collector.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sdkIngest } from '../b2-ingest.mjs';
import { startCollector } from '../lib/collector.mjs';
import { natsServerBinary, startNatsCluster } from '../../test/helpers/nats-cluster.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    events: { type: 'string', default: '200000' },
    configs: { type: 'string', default: 'local,R1,R3' },
    base: { type: 'string' },
    'node-args': { type: 'string', default: '' },
  },
});
const rounds = Number(values.rounds);
const events = Number(values.events);
const nodeArgs = values['node-args'].split(' ').filter(Boolean);

/** utime + stime in microseconds of a process, or of one of its threads (Linux /proc; clock ticks of 10 ms). */
function cpuMicros(pid, tid = null) {
  const stat = readFileSync(tid === null ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}
const serverPids = () => execFileSync('pgrep', ['nats-server'], { encoding: 'utf8' }).trim().split('\n').map(Number);
const serversCpu = () => serverPids().reduce((sum, pid) => sum + cpuMicros(pid), 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const binary = natsServerBinary();
if (binary === null) throw new Error('nats-server not installed');
const configs = values.configs.split(',').map((name) => ({ name, cli: undefined }));
if (values.base) configs.push({ name: 'R1 base', cli: join(resolve(values.base), 'electron/dist/app/cli.js') });
const cluster = await startNatsCluster(binary, 3);
try {
  for (const [k, c] of configs.entries()) {
    const replicas = c.name.startsWith('R3') ? '3' : '1';
    const args =
      c.name === 'local' ? [] : ['--nats', cluster.urls, '--nats-stream', `AB${k}`, '--nats-replicas', replicas];
    c.collector = await startCollector({ args, nodeArgs, cli: c.cli });
    Object.assign(c, { rates: [], collectorUs: [], mainUs: [], otherThreadsUs: [], serversUs: [], clientsUs: [] });
    await sdkIngest(c.collector.ingestUrl, 8, 200_000, 120_000); // warm-up, past the window ring's first lap
  }
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < configs.length; k++) {
      const c = configs[(k + r) % configs.length];
      const pid = c.collector.pid;
      const [col0, main0, srv0, me0] = [cpuMicros(pid), cpuMicros(pid, pid), serversCpu(), process.cpuUsage()];
      c.rates.push(await sdkIngest(c.collector.ingestUrl, 8, events, 180_000));
      const me = process.cpuUsage(me0);
      const col = (cpuMicros(pid) - col0) / events;
      const main = (cpuMicros(pid, pid) - main0) / events;
      c.collectorUs.push(col);
      c.mainUs.push(main);
      c.otherThreadsUs.push(col - main);
      c.serversUs.push((serversCpu() - srv0) / events);
      c.clientsUs.push((me.user + me.system) / events);
    }
  }
} finally {
  for (const c of configs) await c.collector?.close();
  await cluster.close();
}
const reference = median(configs[0].rates);
for (const c of configs) {
  const us = (xs) => median(xs).toFixed(2);
  console.log(
    `${c.name.padEnd(8)} ${Math.round(median(c.rates)).toLocaleString('en-US').padStart(8)} events/s ` +
      `${(median(c.rates) / reference).toFixed(2)}x of ${configs[0].name}; CPU µs/event: collector ${us(c.collectorUs)} ` +
      `(main thread ${us(c.mainUs)}, other threads ${us(c.otherThreadsUs)}), servers ${us(c.serversUs)}, ` +
      `clients ${us(c.clientsUs)}; rounds ${c.rates.map((x) => Math.round(x / 1000)).join(', ')}k`,
  );
}
