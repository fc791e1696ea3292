// B3: send() -> ack latency (p50 / p99 / p99.9) at 1k, 10k and 50k events/s offered open-loop by one SDK client
// against the real collector; reference: fdatasync latency on the same disk, measured alone.
import { spawn } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { AuditNotifier } from '@ic-audit/client';
import { removeDir, startCollector, tempDir } from './lib/collector.mjs';
import { natsServerBinary, startNatsCluster } from '../test/helpers/nats-cluster.mjs';
import { ratio, summarize } from './lib/stats.mjs';
import { DESC, TYPE, fields } from './lib/workload.mjs';

const RATES = [1_000, 10_000, 50_000];
/** Diagnostic: 10k/s again with the SDK's batching delay set to 0, to split SDK batching from collector time. */
const NO_DELAY = 'no-delay';
const ACK_HEAD = '{"type":"ack","seq":';
/** NATS mode beside local (issue 19): the same 10k events/s run against a collector with `--nats`, stream R1 and R3. */
const NATS_RATE = 10_000;
const NATS_CONFIGS = [
  { key: 'nats-R1', stream: 'B3R1', replicas: 1 },
  { key: 'nats-R3', stream: 'B3R3', replicas: 3 },
];

/**
 * A standard WebSocket (the SDK's `webSocket` option) that notes when each ack arrives, before the SDK sees it, and
 * (with `onFrame`) when each events frame goes out. The SDK's own code paths (batching timer, serialization, flow
 * control) are untouched.
 */
function ackTap(onAck, onFrame) {
  return class AckTap extends WebSocket {
    constructor(url) {
      super(url, { perMessageDeflate: false });
      this.on('message', (data) => {
        const s = String(data);
        if (s.startsWith(ACK_HEAD)) onAck(Number.parseInt(s.slice(ACK_HEAD.length), 10), performance.now());
      });
    }
    send(data, ...rest) {
      if (onFrame !== undefined) {
        const text =
          typeof data === 'string'
            ? data
            : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
        const last = /"seq":(\d+)/.exec(text.slice(text.lastIndexOf('{"seq":')));
        if (last !== null) onFrame(Number(last[1]), performance.now());
      }
      super.send(data, ...rest);
    }
  };
}

/**
 * Offers `rate` events/s for `seconds`; latency of event i = its ack's arrival - its scheduled send time. `onFrame`
 * (bench/tools/b3-timeline.mjs) hears each events frame's highest seq and when it went out; `due` and `lat` come back
 * too (event i is seq i + 2, performance.now() times).
 */
export async function latencyRun(url, rate, seconds, flushIntervalMs, onFrame) {
  const n = Math.round(rate * seconds);
  const due = new Float64Array(n); // scheduled send time of seq i + 2 (seq 1 is the SDK's boot event)
  const lat = new Float64Array(n).fill(NaN);
  let ackedTo = 1;
  const notifier = new AuditNotifier({
    projectName: `latency-${rate}`,
    projectMarket: 'FOREX',
    url,
    ...(flushIntervalMs === undefined ? {} : { flushIntervalMs }),
    webSocket: ackTap((seq, at) => {
      for (let s = Math.max(ackedTo + 1, 2); s <= seq && s - 2 < n; s++) lat[s - 2] = at - due[s - 2];
      if (seq > ackedTo) ackedTo = seq;
    }, onFrame),
  });
  try {
    const deadline = Date.now() + 10_000;
    while (!(await notifier.flush(1_000))) if (Date.now() > deadline) throw new Error('SDK did not connect');
    const t0 = performance.now();
    let sent = 0;
    // Open loop: every ~1 ms, send whatever the schedule says is due, however far behind the acks are.
    while (sent < n) {
      const target = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      for (; sent < target; sent++) {
        due[sent] = t0 + (sent * 1000) / rate;
        notifier.send(TYPE, DESC, fields(sent));
      }
      await sleep(1);
    }
    await notifier.flush(30_000);
    const acked = lat.filter((x) => !Number.isNaN(x));
    return { samples: acked, missing: n - acked.length, dropped: notifier.stats().dropped, due, lat };
  } finally {
    await notifier.close(1_000);
  }
}

/** Reference: latency of write(300 bytes) + fdatasync on the same disk, nothing else running. */
function fdatasyncLatency(dir, count, maxMs) {
  const fd = openSync(join(dir, 'fsync.bin'), 'a');
  const out = [];
  const line = Buffer.alloc(300, 'x');
  const t0 = performance.now();
  try {
    while (out.length < count && performance.now() - t0 < maxMs) {
      writeSync(fd, line);
      const t = performance.now();
      fdatasyncSync(fd);
      out.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** The same reference while another process keeps one core busy (as the bot and the collector do in a run). */
async function fdatasyncLatencyLoaded(dir, count, maxMs) {
  const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  try {
    await new Promise((res) => hog.once('spawn', res));
    await sleep(50);
    return fdatasyncLatency(dir, count, maxMs);
  } finally {
    hog.kill('SIGKILL');
  }
}

export async function run({ quick }) {
  const seconds = quick ? 2 : 10;
  const runs = 3;
  const scratch = tempDir();
  const collector = await startCollector();
  // NATS mode rows (skipped when nats-server is not installed): a 3-node cluster, one collector per stream.
  const binary = natsServerBinary();
  const cluster = binary === null ? null : await startNatsCluster(binary, 3);
  const natsCollectors = {};
  for (const n of cluster === null ? [] : NATS_CONFIGS) {
    natsCollectors[n.key] = await startCollector({
      args: ['--nats', cluster.urls, '--nats-stream', n.stream, '--nats-replicas', String(n.replicas)],
      timeoutMs: 60_000,
    });
  }
  const configs = [...RATES, NO_DELAY, ...Object.keys(natsCollectors)];
  const results = Object.fromEntries(configs.map((r) => [r, { runs: [], missing: 0, dropped: 0 }]));
  const fsyncRuns = [];
  const loadedRuns = [];
  try {
    await latencyRun(collector.ingestUrl, 5_000, 1); // warm-up
    for (const c of Object.values(natsCollectors)) await latencyRun(c.ingestUrl, 5_000, 1);
    for (let r = 0; r < runs; r++) {
      fsyncRuns.push(fdatasyncLatency(scratch, 1_000, 1_500));
      loadedRuns.push(await fdatasyncLatencyLoaded(scratch, 1_000, 1_500));
      for (const c of configs) {
        const res =
          c === NO_DELAY
            ? await latencyRun(collector.ingestUrl, 10_000, seconds, 0)
            : c in natsCollectors
              ? await latencyRun(natsCollectors[c].ingestUrl, NATS_RATE, seconds)
              : await latencyRun(collector.ingestUrl, c, seconds);
        results[c].runs.push(res.samples);
        results[c].missing += res.missing;
        results[c].dropped += res.dropped;
      }
    }
  } finally {
    await collector.close();
    for (const c of Object.values(natsCollectors)) await c.close();
    await cluster?.close();
    removeDir(scratch);
  }
  const ref = summarize(fsyncRuns);
  const local10k = summarize(results[10_000].runs);
  const figures = configs.map((c) => {
    const s = summarize(results[c].runs);
    const { missing, dropped } = results[c];
    const nats = NATS_CONFIGS.find((n) => n.key === c);
    if (nats !== undefined) {
      return {
        id: 'B3-NATS',
        name: `send -> ack latency at ${NATS_RATE.toLocaleString('en-US')} events/s offered (1 SDK client), NATS mode R${nats.replicas} (3-node cluster; ack = journal + JetStream)`,
        unit: 'ms',
        ...s,
        reference: 'local journal at the same rate, same run (p50)',
        reference_median: local10k.median,
        ratio: ratio(s.median, local10k.median),
        note: `p99 ${s.p99.toFixed(2)} ms vs local ${local10k.p99.toFixed(2)} ms; p99.9 ${s.p999.toFixed(2)} ms${missing ? `; ${missing} events never acked (${dropped} dropped by the SDK buffer)` : ''}`,
      };
    }
    return {
      id: c === NO_DELAY ? 'B3-diag' : 'B3',
      name:
        c === NO_DELAY
          ? 'diagnostic: same at 10,000 events/s with SDK flushIntervalMs=0 (no batching delay)'
          : `send -> ack latency at ${c.toLocaleString('en-US')} events/s offered (1 SDK client)`,
      unit: 'ms',
      ...s,
      reference: 'fdatasync alone (p50)',
      reference_median: ref.median,
      ratio: ratio(s.median, ref.median),
      note: `p99.9 ${s.p999.toFixed(2)} ms${missing ? `; ${missing} events never acked (${dropped} dropped by the SDK buffer)` : ''}`,
      ...(c === 10_000 ? { bar: 'p99 <= 5 ms', bar_met: s.p99 <= 5 && missing === 0 } : {}),
    };
  });
  figures.push({
    id: 'B3-ref',
    name: 'reference: fdatasync latency alone (300 B appends)',
    unit: 'ms',
    ...ref,
    note: `p99.9 ${ref.p999.toFixed(2)} ms`,
  });
  const loaded = summarize(loadedRuns);
  figures.push({
    id: 'B3-ref',
    name: 'reference: the same fdatasync latency while another process keeps one core busy',
    unit: 'ms',
    ...loaded,
    note: `p99.9 ${loaded.p999.toFixed(2)} ms`,
  });
  return figures;
}
