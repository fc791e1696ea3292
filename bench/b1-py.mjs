// B1-py: the Python SDK's send() on the bot thread (ns per call: 1,000-call means and single calls) and the bot's
// CPU per event until acked, side by side with the seed client's design (a thread + a TCP connection per event to
// the collector's legacy port) measured in the same Python process and run. The work is in b1-py-send.py.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { startCollector } from './lib/collector.mjs';
import { deadPort } from './lib/ports.mjs';
import { ratio, summarize } from './lib/stats.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const PYTHON = resolve(ROOT, 'client-sdk/python/.venv/bin/python');
const SCRIPT = resolve(import.meta.dirname, 'b1-py-send.py');
const TIMEOUT_MS = 900_000;

export async function run({ quick }) {
  // The SDK's venv (the same one the tests use); quick when it is already there.
  const venv = spawnSync('bash', [resolve(ROOT, 'scripts/python-venv.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (venv.status !== 0) throw new Error('scripts/python-venv.sh failed');
  const collector = await startCollector();
  let r;
  try {
    const dead = `ws://127.0.0.1:${await deadPort()}/ingest`;
    const out = spawnSync(PYTHON, [SCRIPT, collector.ingestUrl, String(collector.port), dead, quick ? '1' : '0'], {
      encoding: 'utf8',
      timeout: TIMEOUT_MS,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (out.status !== 0) throw new Error(`b1-py-send.py failed (${out.status}): ${out.stderr}`);
    r = JSON.parse(out.stdout);
  } finally {
    await collector.close();
  }
  const seed = summarize(r.seed);
  const cpuSeed = summarize(r.cpu_seed);
  const sendRow = (name, s) => ({
    id: 'B1-py',
    name: `Python send() ${name}`,
    unit: 'ns/call',
    ...s,
    reference: "seed client's design, thread + TCP connect per event (sync part)",
    reference_median: seed.median,
    ratio: ratio(s.median, seed.median),
    bar: 'p50 <= 2 us',
    bar_met: s.median <= 2_000,
    note: `${ratio(seed.median, s.median).toFixed(0)}x cheaper than the seed client per call; CPython ${r.python}`,
  });
  const refRow = (name, unit, s) => ({ id: 'B1-py-ref', name: `reference: ${name}`, unit, ...s });
  const cpuSdk = summarize(r.cpu_sdk);
  const acked = r.delivered ? '; every event acked' : '; NOT every event acked';
  return [
    sendRow('on the bot thread, connected (per-call mean of 1,000-call samples)', summarize(r.conn)),
    sendRow('single calls, connected (each call timed, clock cost removed)', summarize(r.single)),
    sendRow('on the bot thread, no collector (buffering, then evicting oldest)', summarize(r.disc)),
    {
      id: 'B1-py',
      name: 'Python bot CPU per event, all threads: send + serialize + frame + socket write, until acked',
      unit: 'ns/event',
      ...cpuSdk,
      reference: "seed client's design, total CPU per event until answered",
      reference_median: cpuSeed.median,
      ratio: ratio(cpuSdk.median, cpuSeed.median),
      note: `${ratio(cpuSeed.median, cpuSdk.median).toFixed(1)}x less CPU than the seed client${acked}`,
    },
    refRow("the workload's fields dict alone (included in every send figure)", 'ns/call', summarize(r.fields)),
    refRow("seed client's design, thread + TCP connect + send per event (sync part)", 'ns/call', seed),
    refRow("seed client's design, total CPU per event (until answered)", 'ns/event', cpuSeed),
  ];
}
