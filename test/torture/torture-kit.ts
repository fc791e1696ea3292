/**
 * Shared pieces of the torture suite: the short/long switch, a seeded random source (the seed is printed so a
 * failing run can be replayed with IC_AUDIT_TORTURE_SEED), polling with a deadline, /proc readings of the
 * collector process, `ic-audit verify`, and Chromium.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../helpers/collector.js';
import { newestSegment } from '../helpers/raw-client.js';

export { newestSegment };

/** `IC_AUDIT_TORTURE=long` selects the full numbers; anything else the short setting run by `npm test`. */
export const LONG = process.env['IC_AUDIT_TORTURE'] === 'long';

/** Picks the short or the long value. */
export function size<T>(short: T, long: T): T {
  return LONG ? long : short;
}

/** Seed of this run (printed by {@link rng}); set IC_AUDIT_TORTURE_SEED to replay a failure. */
export const SEED = Number(process.env['IC_AUDIT_TORTURE_SEED'] ?? Date.now() % 2 ** 31);

/** A small deterministic PRNG (mulberry32) per scenario, announced on stderr with its seed. */
export function rng(
  scenario: string,
  seed = SEED,
): { next(): number; int(lo: number, hi: number): number; pick<T>(xs: readonly T[]): T } {
  process.stderr.write(`[torture] ${scenario}: seed ${seed}${LONG ? ' (long)' : ' (short)'}\n`);
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
  };
}

/** Polls `check` every `everyMs` until it is true; throws naming `what` after `timeoutMs`. */
export async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
  everyMs = 25,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resident memory (bytes) and open file descriptors of a process, read from /proc. */
export function procStats(pid: number): { rss: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return { rss: kb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** MiB, for messages. */
export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** Runs `ic-audit verify` on a data dir. */
export function verify(dataDir: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, 'verify', '--data-dir', dataDir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** GET /healthz as JSON. */
export async function health(httpUrl: string): Promise<Record<string, any>> {
  return (await (await fetch(`${httpUrl}/healthz`)).json()) as Record<string, any>;
}

/** How Debian's Chromium is launched in every browser test. */
export { CHROMIUM } from '../helpers/chromium.js';

/** A LIFO list of clean-ups, run by afterEach even when the test failed half-way. */
export class Cleanup {
  private readonly fns: Array<() => unknown> = [];
  add(fn: () => unknown): void {
    this.fns.push(fn);
  }
  async run(): Promise<void> {
    for (const f of this.fns.splice(0).reverse()) {
      try {
        await f();
      } catch (err) {
        process.stderr.write(`[torture] clean-up failed: ${(err as Error).message}\n`);
      }
    }
  }
}

/** Records a scenario's figures on stderr in one greppable line (docs/reliability.md is filled from these). */
export function report(scenario: string, figures: Record<string, unknown>): void {
  process.stderr.write(`[torture] ${scenario} ${LONG ? 'long' : 'short'}: ${JSON.stringify(figures)}\n`);
}

/** Streams every journal record of a data dir (for journals too large to read as one string). */
export async function forEachRecord(dataDir: string, fn: (r: Record<string, any>) => void): Promise<void> {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const dir = join(dataDir, 'journal');
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()) {
    const lines = createInterface({ input: createReadStream(join(dir, name)), crlfDelay: Infinity });
    for await (const line of lines) if (line) fn(JSON.parse(line) as Record<string, any>);
  }
}
