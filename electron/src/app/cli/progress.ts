/**
 * One progress line on stderr, redrawn in place: done / total, percent, rate, ETA. Written here rather than taken
 * from a library (cli-progress, progress): we need one line, no multi-bar layout, no dependency tree, and exact
 * control of when it is silent (stderr not a terminal, --quiet) and of colour (NO_COLOR); that is ~100 lines.
 */

/** How the counts are shown. */
export type ProgressUnit = 'bytes' | 'events' | 'records';

/** Where and whether to draw. */
export interface ProgressOptions {
  quiet?: boolean;
  stream?: NodeJS.WriteStream;
  env?: Record<string, string | undefined>;
  now?: () => number;
}

/** What a long job reports as it goes. */
export interface Progress {
  /** `done` units of `total` (when known); `note` is shown after the rate ("12,345 events"). */
  update(done: number, note?: string): void;
  /** Sets (or changes) the total, e.g. when a second pass starts. */
  phase(label: string, total: number | null): void;
  /** Clears the line so other output can be written; the next update draws it again. */
  clear(): void;
  /** Clears the line; nothing more is drawn. */
  end(): void;
}

/** Redraws at most this often. */
const REDRAW_MS = 100;
const BAR_WIDTH = 20;

const SILENT: Progress = { update() {}, phase() {}, clear() {}, end() {} };

/** A progress line on stderr when it is a terminal and not `quiet`; otherwise one that draws nothing. */
export function startProgress(
  label: string,
  total: number | null,
  unit: ProgressUnit,
  opts: ProgressOptions = {},
): Progress {
  const stream = opts.stream ?? process.stderr;
  const env = opts.env ?? process.env;
  if (opts.quiet || stream.isTTY !== true || env['TERM'] === 'dumb') return SILENT;
  const color = env['NO_COLOR'] === undefined || env['NO_COLOR'] === '' ? true : false;
  const now = opts.now ?? Date.now;
  let start = now();
  let drawn = 0;
  let shown = false;
  let ended = false;
  const draw = (done: number, note: string | undefined): void => {
    const t = now();
    const elapsed = (t - start) / 1000;
    const rate = elapsed > 0.2 ? done / elapsed : 0;
    let line = `${label}  ${amount(done, unit)}`;
    if (total !== null && total > 0) {
      const frac = Math.min(1, done / total);
      const filled = Math.round(frac * BAR_WIDTH);
      const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
      line += ` / ${amount(total, unit)}  ${(frac * 100).toFixed(0).padStart(3)}%  [${color ? `\x1b[32m${bar}\x1b[0m` : bar}]`;
      if (rate > 0) line += `  ${amount(rate, unit)}/s  ETA ${duration((total - done) / rate)}`;
    } else if (rate > 0) {
      line += `  ${amount(rate, unit)}/s`;
    }
    if (note !== undefined) line += `  ${note}`;
    // A terminal that reports no size (a bare pty says 0 columns) gets the classic 80.
    const width = (stream.columns > 0 ? stream.columns : 80) - 1;
    // Cut to the terminal's width so the line never wraps (a wrapped line cannot be redrawn in place).
    stream.write(`\r${truncate(line, width)}\x1b[K`);
    drawn = t;
    shown = true;
  };
  return {
    update(done, note) {
      if (ended) return;
      if (now() - drawn >= REDRAW_MS) draw(done, note);
    },
    phase(next, nextTotal) {
      label = next;
      total = nextTotal;
      start = now();
      drawn = 0;
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
      drawn = 0;
    },
    end() {
      if (ended) return;
      ended = true;
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

/** A count in its unit: "1.2 GB", "12,345 events". */
function amount(n: number, unit: ProgressUnit): string {
  if (unit !== 'bytes') return `${Math.round(n).toLocaleString('en-US')} ${unit}`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** Seconds as "42s", "3m05s", "2h10m". */
function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const r = Math.round(s);
  if (r < 60) return `${r}s`;
  if (r < 3600) return `${Math.floor(r / 60)}m${String(r % 60).padStart(2, '0')}s`;
  return `${Math.floor(r / 3600)}h${String(Math.floor((r % 3600) / 60)).padStart(2, '0')}m`;
}

/** Cuts a line to `width` visible characters, leaving colour escapes whole. */
function truncate(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return out;
}
