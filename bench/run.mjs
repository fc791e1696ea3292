// `npm run bench`: runs each benchmark (quick by default; --full for longer runs; --only B2,B3 to pick), prints a
// markdown table and writes bench/results/latest.json (with --only: bench/results/only-IDS.json). Every benchmark targets 127.0.0.1 only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const BENCHMARKS = [
  ['B1', './b1-send.mjs'],
  ['B1-PY', './b1-py.mjs'],
  ['B2', './b2-ingest.mjs'],
  ['B2-TLS', './b2-tls.mjs'],
  ['B2-NATS', './b2-nats.mjs'], // skipped (one figure saying why) when nats-server is not installed
  ['B3', './b3-latency.mjs'],
  ['B4', './b4-console.mjs'],
  ['B5', './b5-memory.mjs'],
  ['B6', './b6-replay.mjs'],
];

const { values } = parseArgs({ options: { full: { type: 'boolean' }, only: { type: 'string' } } });
const quick = !values.full;
const only = values.only
  ? new Set(
      values.only
        .toUpperCase()
        .split(',')
        .map((s) => s.trim()),
    )
  : null;
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memory_gib: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  kernel: release(),
};
const started = new Date();
const figures = [];
let failed = false;

for (const [id, file] of BENCHMARKS) {
  if (only && !only.has(id)) continue;
  const t0 = performance.now();
  process.stderr.write(`${id} ...`);
  try {
    const { run } = await import(file);
    figures.push(...(await run({ quick })));
    process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  } catch (err) {
    failed = true;
    process.stderr.write(` FAILED\n${err.stack ?? err}\n`);
    figures.push({ id, name: `FAILED: ${String(err.message ?? err).split('\n')[0]}`, unit: '', runs: 0 });
  }
}

const result = {
  date: started.toISOString(),
  mode: quick ? 'quick' : 'full',
  duration_s: Math.round((Date.now() - started.getTime()) / 1000),
  machine,
  figures,
};
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
// latest.json is the last run of every benchmark; a run of some (--only) goes beside it and leaves it whole.
const outName = only ? `only-${[...only].join('-')}.json` : 'latest.json';
writeFileSync(join(import.meta.dirname, 'results', outName), JSON.stringify(result, null, 2) + '\n');
process.stdout.write(table(result) + '\n');
process.exitCode = failed ? 1 : 0;

function num(v, unit) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '';
  if (unit === 'events/s' || unit === 'ns/call' || unit === 'ns/event') return Math.round(v).toLocaleString('en-US');
  if (unit === 'MiB') return v.toFixed(0);
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function table({ date, mode, duration_s, machine: m, figures: fs }) {
  const lines = [
    `\`npm run bench\` (${mode}), ${date.slice(0, 16).replace('T', ' ')} UTC, ${m.cpu} x${m.cores}, ${m.memory_gib} GiB, Node ${m.node}, Linux ${m.kernel}, ${duration_s} s.`,
    'Median over all samples of all runs; p99 likewise (blank when each run gives one number); spread = lowest-highest per-run median.',
    '',
    '| id | figure | unit | median | p99 | spread | runs | reference (median) | ratio | bar |',
    '|---|---|---|--:|--:|--:|--:|---|--:|---|',
  ];
  for (const f of fs) {
    const p99 = f.samples > f.runs ? num(f.p99, f.unit) : '';
    const spread = Number.isFinite(f.min) ? `${num(f.min, f.unit)}-${num(f.max, f.unit)}` : '';
    const ref = f.reference ? `${f.reference} (${num(f.reference_median, f.unit)})` : '';
    const ratio =
      typeof f.ratio === 'number'
        ? `${f.ratio >= 10 ? f.ratio.toFixed(0) : f.ratio >= 0.01 ? f.ratio.toFixed(2) : f.ratio.toPrecision(2)}x`
        : '';
    const verdict = f.bar ? `${f.bar_met === true ? 'met' : f.bar_met === false ? '**missed**' : 'n/a'}: ${f.bar}` : '';
    const name = f.note ? `${f.name}; ${f.note}` : f.name;
    lines.push(
      `| ${f.id} | ${name} | ${f.unit} | ${num(f.median, f.unit)} | ${p99} | ${spread} | ${f.runs} | ${ref} | ${ratio} | ${verdict} |`,
    );
  }
  return lines.join('\n');
}
