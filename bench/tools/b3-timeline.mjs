// Where B3's send -> ack milliseconds go: one SDK client offers `--rate` events/s (B3's own open-loop run) against a
// collector started with IC_AUDIT_COMMIT_TIMELINE (electron/src/journal/commit-timeline.ts); each event's latency is
// split, on one clock, into: waiting in the SDK (until its frame went out), frame to the journal taking it (network,
// parse, and waiting behind the commit in flight), building lines, write(), fdatasync(), and acks (from fdatasync
// returning to the ack reaching the bot). Prints percentiles of each part, and what the slowest 1% were made of.
//
//   node bench/tools/b3-timeline.mjs [--rate 10000] [--seconds 5] [--runs 3] [--flush-ms N (the SDK's flushIntervalMs)]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { latencyRun } from '../b3-latency.mjs';
import { startCollector, tempDir } from '../lib/collector.mjs';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    'flush-ms': { type: 'string' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const file = join(tempDir('ic-audit-timeline-'), 'commits.jsonl');
const collector = await startCollector({ env: { ...process.env, IC_AUDIT_COMMIT_TIMELINE: file } });
const epoch = (t) => performance.timeOrigin + t;
const runs = [];
try {
  await latencyRun(collector.ingestUrl, 5_000, 1); // warm-up
  for (let r = 0; r < Number(values.runs); r++) {
    const frames = [];
    const start = epoch(performance.now());
    const flushMs = values['flush-ms'] === undefined ? undefined : Number(values['flush-ms']);
    const res = await latencyRun(collector.ingestUrl, rate, seconds, flushMs, (seq, at) =>
      frames.push({ seq, at: epoch(at) }),
    );
    runs.push({ start, end: epoch(performance.now()), frames, ...res });
  }
} finally {
  await collector.close();
}
const commits = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));

const PARTS = ['sdk', 'toJournal', 'build', 'write', 'fdatasync', 'ack', 'total'];
const rows = [];
for (const run of runs) {
  // Each run is its own session (seqs from 1): its commits are those made while it ran.
  const mine = commits.filter((c) => c.taken >= run.start && c.taken <= run.end + 1000 && c.lastSeq > 0);
  let f = 0;
  let c = 0;
  for (let k = 0; k < run.due.length; k++) {
    if (Number.isNaN(run.lat[k])) continue;
    const seq = k + 2;
    while (f < run.frames.length && run.frames[f].seq < seq) f++;
    while (c < mine.length && mine[c].lastSeq < seq) c++;
    if (f === run.frames.length || c === mine.length) break;
    const due = epoch(run.due[k]);
    const fr = run.frames[f];
    const cm = mine[c];
    // The slowest fdatasync on the event's path: its own commit's, or that of a commit in flight when it was due.
    let stall = cm.synced - cm.written;
    for (let b = c - 1; b >= 0 && mine[b].acked >= due; b--) stall = Math.max(stall, mine[b].synced - mine[b].written);
    rows.push({
      stall,
      sdk: fr.at - due,
      toJournal: cm.taken - fr.at,
      build: cm.built - cm.taken,
      write: cm.written - cm.built,
      fdatasync: cm.synced - cm.written,
      ack: due + run.lat[k] - cm.synced,
      total: run.lat[k],
    });
  }
}
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const sorted = (key, list = rows) => list.map((r) => r[key]).sort((a, b) => a - b);
console.log(`${rows.length} events lined up with their commit (${rate} events/s, ${runs.length} x ${seconds} s)`);
console.log('part        p50 ms   p99 ms   mean in the slowest 1%');
const p99 = pct(sorted('total'), 0.99);
const tail = rows.filter((r) => r.total >= p99);
for (const key of PARTS) {
  const xs = sorted(key);
  const tailMean = tail.reduce((s, r) => s + r[key], 0) / tail.length;
  console.log(
    `${key.padEnd(10)} ${pct(xs, 0.5).toFixed(2).padStart(7)} ${pct(xs, 0.99).toFixed(2).padStart(8)} ${tailMean.toFixed(2).padStart(10)}`,
  );
}
const slow = rows.filter((r) => r.total > 5);
console.log(
  `events over 5 ms: ${slow.length} (${((100 * slow.length) / rows.length).toFixed(2)}%); ` +
    `${((100 * slow.filter((r) => r.stall > 2).length) / Math.max(1, slow.length)).toFixed(0)}% of them met an ` +
    `fdatasync over 2 ms on their path (their commit's, or one in flight when they were sent)`,
);
const during = commits.filter((c) => runs.some((r) => c.taken >= r.start && c.taken <= r.end));
const syncs = during.map((c) => c.synced - c.written).sort((a, b) => a - b);
const sizes = during.map((c) => c.entries).sort((a, b) => a - b);
const waits = during.map((c) => c.taken - c.queued).sort((a, b) => a - b);
console.log(
  `commits: ${during.length}, entries per commit p50 ${pct(sizes, 0.5)} p99 ${pct(sizes, 0.99)}; ` +
    `queue wait (first entry queued -> taken) p50 ${pct(waits, 0.5).toFixed(2)} p99 ${pct(waits, 0.99).toFixed(2)} ms; ` +
    `fdatasync p50 ${pct(syncs, 0.5).toFixed(2)} p99 ${pct(syncs, 0.99).toFixed(2)} ms`,
);
