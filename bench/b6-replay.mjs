// B6: collector start-up time (spawn -> listening line) for 1M (and 10M with --full) records, both without a
// checkpoint (full replay, chain verified before listening) and after a clean stop (replay from the checkpoint,
// chain verified in a background thread); reference: a raw read of the same files (every byte, every newline).
import { closeSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCollector } from './lib/collector.mjs';
import { ratio, summarize } from './lib/stats.mjs';
import { preparedJournal } from './lib/workload.mjs';

/** Reads every journal segment in 1 MiB chunks and splits it into line strings (nothing parsed); returns ms. */
export function rawRead(dataDir) {
  const dir = join(dataDir, 'journal');
  const buf = Buffer.allocUnsafe(1 << 20);
  const t0 = performance.now();
  let lines = 0;
  let chars = 0;
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()) {
    const fd = openSync(join(dir, name), 'r');
    try {
      let carry = 0; // bytes of an unfinished line kept at the start of `buf`
      for (let n; (n = readSync(fd, buf, carry, buf.length - carry, null)) > 0;) {
        const end = carry + n;
        let from = 0;
        for (let i = buf.indexOf(10); i !== -1 && i < end; i = buf.indexOf(10, from)) {
          chars += buf.toString('utf8', from, i).length;
          lines++;
          from = i + 1;
        }
        carry = buf.copy(buf, 0, from, end);
      }
    } finally {
      closeSync(fd);
    }
  }
  if (lines === 0 || chars === 0) throw new Error('empty journal');
  return performance.now() - t0;
}

/** Spawn -> listening line of the real collector on `dataDir` (undefined: a fresh empty one), in ms. */
async function startMs(dataDir) {
  const c = await startCollector({ dataDir });
  await c.close();
  return c.startMs;
}

export async function run({ quick }) {
  const sizes = quick ? [1_000_000] : [1_000_000, 10_000_000];
  const runs = 3;
  const figures = [];
  const empty = [];
  for (let r = 0; r < runs; r++) empty.push([await startMs()]);
  for (const n of sizes) {
    const { dataDir, bytes } = preparedJournal(n);
    rawRead(dataDir); // both sides read from a warm page cache
    const raw = [];
    const cold = [];
    const warm = [];
    for (let r = 0; r < runs; r++) {
      raw.push([rawRead(dataDir)]);
      rmSync(join(dataDir, 'journal', 'checkpoint.json'), { force: true });
      cold.push([await startMs(dataDir)]); // its clean stop writes the checkpoint the next start uses
      warm.push([await startMs(dataDir)]);
    }
    const ref = summarize(raw);
    const c = summarize(cold);
    const w = summarize(warm);
    const label = `${n / 1e6}M`;
    const size = `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    figures.push(
      {
        id: 'B6',
        name: `collector restart after a clean stop, ${label} journaled records (${size}): replay from the checkpoint, chain checked in the background`,
        unit: 'ms',
        ...w,
        reference: 'raw read of the same files',
        reference_median: ref.median,
        ratio: ratio(w.median, ref.median),
        bar: '<= 3x the raw read',
        bar_met: ratio(w.median, ref.median) <= 3,
      },
      {
        id: 'B6',
        name: `collector start-up without a checkpoint (first start, or after a crash before one), ${label} records: full replay, chain verified before listening`,
        unit: 'ms',
        ...c,
        reference: 'raw read of the same files',
        reference_median: ref.median,
        ratio: ratio(c.median, ref.median),
      },
      {
        id: 'B6-ref',
        name: `reference: raw read of the ${label}-record journal (read + split into line strings)`,
        unit: 'ms',
        ...ref,
      },
    );
  }
  figures.push({
    id: 'B6-ref',
    name: 'reference: collector start-up with an empty journal',
    unit: 'ms',
    ...summarize(empty),
  });
  return figures;
}
