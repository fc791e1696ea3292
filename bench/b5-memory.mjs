// B5: collector RSS right after start and after a 30 h dump, with 1M and 10M (--full; 100k and 500k in quick mode)
// journaled events; reference: the journal's size on disk. Also a bot's RSS growth with 100k events buffered by the
// SDK (no collector reachable); reference: those events' serialized size.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { startCollector } from './lib/collector.mjs';
import { ratio, summarize } from './lib/stats.mjs';
import { preparedJournal } from './lib/workload.mjs';

const MiB = 2 ** 20;

/** Asks the collector for a 30 h dump over the raw protocol and waits for the answer. */
async function dump30h(url) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  try {
    await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));
    let timer;
    const f = await new Promise((res) => {
      ws.on('message', (d) => res(JSON.parse(String(d))));
      timer = setTimeout(() => res({ type: 'timeout' }), 600_000);
      ws.send(JSON.stringify({ type: 'dump', id: 'b5', hours: 30 }));
    });
    clearTimeout(timer);
    if (f.type !== 'dumped') throw new Error(`dump failed: ${JSON.stringify(f)}`);
    return f.events;
  } finally {
    ws.terminate();
  }
}

/** RSS growth of a fresh bot process that buffers 100k events (boot included) with no collector; 3 runs. */
function botRss(runs) {
  const growth = [];
  const sizes = [];
  for (let r = 0; r < runs; r++) {
    const out = execFileSync(process.execPath, ['--expose-gc', join(import.meta.dirname, 'lib', 'bot-rss.mjs')], {
      encoding: 'utf8',
    });
    const m = JSON.parse(out);
    if (m.queued !== 100_000 || m.dropped !== 0) throw new Error(`bot buffered ${m.queued}, dropped ${m.dropped}`);
    growth.push([m.afterMiB - m.beforeMiB]);
    sizes.push([m.eventsMiB]);
  }
  const g = summarize(growth);
  const ref = summarize(sizes);
  return {
    id: 'B5',
    name: 'bot RSS growth with 100k events buffered by the SDK (no collector reachable)',
    unit: 'MiB',
    ...g,
    reference: 'those events serialized (UTF-8)',
    reference_median: ref.median,
    ratio: ratio(g.median, ref.median),
  };
}

export async function run({ quick }) {
  const sizes = quick ? [100_000, 500_000] : [1_000_000, 10_000_000];
  const runs = 3;
  const by = {};
  for (const n of sizes) {
    const { dataDir, bytes } = preparedJournal(n);
    const after = { start: [], dump: [], peak: [] };
    for (let r = 0; r < runs; r++) {
      const c = await startCollector({ dataDir });
      try {
        await sleep(500); // let start-up garbage settle
        after.start.push([c.memory().rss / MiB]);
        const events = await dump30h(c.ingestUrl);
        if (events < n) throw new Error(`dump held ${events} of ${n} events`);
        const m = c.memory();
        after.dump.push([m.rss / MiB]);
        after.peak.push([m.hwm / MiB]);
      } finally {
        await c.close();
      }
    }
    by[n] = { bytes, start: summarize(after.start), dump: summarize(after.dump), peak: summarize(after.peak) };
  }
  const [small, large] = sizes;
  const label = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
  const figures = [];
  for (const n of sizes) {
    const disk = by[n].bytes / MiB;
    for (const [key, what] of [
      ['start', 'after start'],
      ['dump', 'after a 30 h dump'],
      ['peak', 'peak (VmHWM) through start + dump'],
    ]) {
      figures.push({
        id: 'B5',
        name: `collector RSS ${what}, ${label(n)} journaled events`,
        unit: 'MiB',
        ...by[n][key],
        reference: 'journal size on disk',
        reference_median: disk,
        ratio: ratio(by[n][key].median, disk),
      });
    }
  }
  figures.push(botRss(runs));
  const growth = ratio(by[large].start.median, by[small].start.median);
  figures.push({
    id: 'B5',
    name: `RSS growth after start, ${label(small)} -> ${label(large)} events (${large / small}x the journal)`,
    unit: 'x',
    median: growth,
    runs,
    bar: quick ? 'flat within 20% from 1M to 10M (only --full measures 1M -> 10M)' : 'flat within 20% from 1M to 10M',
    bar_met: quick ? null : growth <= 1.2,
  });
  return figures;
}
